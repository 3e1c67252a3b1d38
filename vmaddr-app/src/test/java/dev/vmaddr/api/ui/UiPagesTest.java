package dev.vmaddr.api.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every page, at 1280×800 and on a narrow (phone-sized) window: axe-core finds no serious or critical
 * accessibility violation, the page does not spill sideways, and a screenshot is taken — into
 * {@code target/ui-screenshots}, and also into the directory named by {@code -Dvmaddr.ui.screenshots}
 * (the README's pictures: {@code -Dvmaddr.ui.screenshots=../docs/ui}).
 */
class UiPagesTest {
    static final Path TARGET = Path.of("target", "ui-screenshots");

    @TempDir
    Path dir;

    record Page(String route, String name) {}

    static final List<Page> PAGES = List.of(new Page("networks", "networks"), new Page("leases?network=lan", "leases"),
            new Page("leases?network=lan&q=web&by=auto", "leases-search"), new Page("vms", "vms"),
            new Page("vms?vm=db1&nic=nic0", "vm-nic-history"), new Page("health", "health"));

    @Test
    void everyPageIsAccessibleAtDesktopAndNarrowSizesAndIsPhotographed() throws Exception {
        try (TestServer srv = new TestServer(dir.resolve("data")); Browser browser = new Browser()) {
            seed(new UiData(srv));
            browser.open(srv.url);
            assertThat(browser.seriousAccessibilityViolations()).as("login").isEmpty();
            screenshot(browser, "login");
            browser.login(srv.token);
            browser.awaitRendered();
            for (Page p : PAGES) {
                browser.show(p.route());
                assertThat(browser.seriousAccessibilityViolations()).as(p.route()).isEmpty();
                screenshot(browser, p.name());
            }
            browser.size(390, 844);
            for (Page p : PAGES) {
                browser.show(p.route());
                assertThat(browser.seriousAccessibilityViolations()).as(p.route() + " narrow").isEmpty();
                // wide tables scroll inside their own region; the page itself must not need sideways scrolling
                assertThat((Long) browser.js("return document.documentElement.scrollWidth - window.innerWidth"))
                        .as(p.route() + " spills sideways").isLessThanOrEqualTo(0L);
                screenshot(browser, p.name() + "-narrow");
            }
        }
    }

    /** A small but lived-in inventory: three networks, a few dozen leases, two VMs of which one drifts. */
    static void seed(UiData data) throws Exception {
        data.post("/api/v1/networks", """
                {"name":"lan","cidr":"198.18.50.0/24","gateway":"198.18.50.1","bridge":"br-lan","ipv6Prefix":"2001:db8:0:50::/64",
                 "pools":["198.18.50.100-198.18.50.199"]}""");
        data.network("storage", "198.18.51.0/24", null, "br-storage", "198.18.51.10-198.18.51.250");
        data.network("dmz", "198.18.52.0/26", "198.18.52.1", null, "198.18.52.10-198.18.52.60");
        for (int i = 0; i < 24; i++) {
            data.allocate("lan", String.format("52:54:00:50:00:%02x", i), String.format("web-%02d", i));
        }
        for (int i = 0; i < 40; i++) {
            data.allocate("dmz", String.format("52:54:00:52:00:%02x", i), i % 3 == 0 ? null : String.format("edge-%02d", i));
        }
        JsonNode db = data.post("/api/v1/vms", "{\"name\":\"db1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"lan\",\"mac\":null},"
                + "{\"name\":\"nic1\",\"network\":\"storage\",\"mac\":null}]}");
        data.post("/api/v1/vms/db1/start", null);
        data.allocate("lan", db.at("/nics/0/mac").asText(), "db1");
        JsonNode app = data.post("/api/v1/vms", "{\"name\":\"app1\",\"host\":\"hv2\",\"nics\":[{\"name\":\"nic0\",\"network\":\"lan\",\"mac\":null}]}");
        data.post("/api/v1/vms/app1/start", null);
        data.put("/api/v1/vms/app1/nics/nic0/mac", "{\"mac\":\"52:54:00:50:aa:01\"}");
        data.post("/api/v1/vms/app1/observed", "{\"source\":\"qemu-guest-agent\",\"interfaces\":[{\"name\":\"eth0\","
                + "\"hardware-address\":\"52:54:00:50:cc:02\",\"ip-addresses\":[{\"ip-address-type\":\"ipv4\",\"ip-address\":\""
                + app.at("/nics/0/ip").asText() + "\",\"prefix\":24}]}]}");
        data.post("/api/v1/networks/storage/check", null);
    }

    static void screenshot(Browser browser, String name) throws Exception {
        browser.screenshot(TARGET, name);
        String docs = System.getProperty("vmaddr.ui.screenshots");
        if (docs != null && !docs.isBlank()) {
            browser.screenshot(Path.of(docs), name);
        }
        assertThat(Files.size(TARGET.resolve(name + ".png"))).isPositive();
    }
}
