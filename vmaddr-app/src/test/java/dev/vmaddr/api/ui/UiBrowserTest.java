package dev.vmaddr.api.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web UI in headless Chromium against a real server (embedded store): each page shows what the
 * API answers. One server and one browser for the class; each test makes its own networks and VMs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiBrowserTest {
    Path dir;
    TestServer srv;
    Browser browser;
    UiData data;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("vmaddr-ui-test");
        srv = new TestServer(dir.resolve("data"));
        data = new UiData(srv);
        browser = new Browser();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (srv != null) {
                srv.close();
            }
            UiData.deleteTree(dir);
        }
    }

    void loggedIn() {
        browser.open(srv.url);
        browser.login(srv.token);
        browser.awaitRendered();
    }

    @Test
    void wrongTokenShowsAnErrorAndNoDataThenTheRightOneIsKeptForTheTabOnly() throws Exception {
        data.network("secretnet", "198.18.30.0/24", "198.18.30.1", null, "198.18.30.10-198.18.30.20");
        browser.open(srv.url);
        browser.login("not-the-token");
        browser.waitFor(() -> !browser.one("#login-error").getText().isEmpty());
        assertThat(browser.one("#login-error").getText()).contains("Wrong token");
        assertThat(browser.one("#nav").isDisplayed()).isFalse();
        assertThat(browser.all("#page *")).isEmpty();
        assertThat(browser.driver.getPageSource()).doesNotContain("secretnet");
        assertThat(browser.js("return sessionStorage.getItem('vmaddr.token')")).isNull();

        browser.login(srv.token);
        browser.awaitRendered();
        assertThat(browser.one("#page h1").getText()).isEqualTo("Networks");
        assertThat(browser.one("[data-network=secretnet] h2").getText()).isEqualTo("secretnet");
        assertThat(browser.js("return sessionStorage.getItem('vmaddr.token')")).isEqualTo(srv.token);
        assertThat(browser.driver.manage().getCookies()).isEmpty();
        assertThat(browser.driver.getCurrentUrl()).doesNotContain(srv.token);

        // the keyboard alone reaches the navigation and follows it
        browser.js("document.activeElement.blur(); window.focus();");
        boolean reached = false;
        for (int i = 0; i < 12 && !reached; i++) {
            browser.driver.switchTo().activeElement().sendKeys(Keys.TAB);
            reached = "Leases".equals(browser.driver.switchTo().activeElement().getText());
        }
        assertThat(reached).as("Tab reaches the Leases link").isTrue();
        browser.rerender(() -> browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER));
        assertThat(browser.one("#page h1").getText()).isEqualTo("Leases");
        assertThat(browser.one("#nav a[aria-current=page]").getText()).isEqualTo("Leases");

        browser.one("#logout").click();
        browser.waitFor(() -> browser.one("#token").isDisplayed());
        assertThat(browser.js("return sessionStorage.getItem('vmaddr.token')")).isNull();
        assertThat(browser.all("#page *")).isEmpty();
    }

    @Test
    void networksPageShowsStatusCidrGatewayAndPoolUseAsTheApiDoesAndChecksOnRequest() throws Exception {
        // the bridge does not exist, so a check finds the network Inactive ("no interface") without touching anything
        data.network("pooled", "198.18.31.0/24", "198.18.31.1", "vmt-ui-absent", "198.18.31.10-198.18.31.59");
        for (int i = 0; i < 7; i++) {
            data.allocate("pooled", String.format("52:54:00:31:00:%02x", i), "pool-" + i);
        }
        loggedIn();
        browser.show("networks");
        String card = "[data-network=pooled] ";
        JsonNode spec = data.get("/api/v1/networks/pooled");
        JsonNode stats = data.get("/api/v1/networks/pooled/stats");
        assertThat(browser.one(card + "[data-field=cidr]").getText()).isEqualTo(spec.get("cidr").asText());
        assertThat(browser.one(card + "[data-field=gateway]").getText()).isEqualTo(spec.get("gateway").asText());
        assertThat(browser.one(card + "[data-field=bridge]").getText()).isEqualTo("vmt-ui-absent");
        WebElement meter = browser.one(card + "meter");
        assertThat(meter.getAttribute("value")).isEqualTo(stats.get("used").asText()).isEqualTo("7");
        assertThat(meter.getAttribute("max")).isEqualTo(stats.get("size").asText()).isEqualTo("50");
        assertThat(browser.one(card + "[data-field=pool-numbers]").getText()).startsWith("7 used · 43 free · 50 in pools");
        // leases per minute: the seven allocations above fall in this minute, or (at a minute's turn) in this and the last
        String rate = browser.one(card + "[data-field=lease-rate]").getText();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(\\d+) leases per minute \\(last minute\\) · (\\d+) this minute so far").matcher(rate);
        assertThat(m.matches()).as(rate).isTrue();
        assertThat(Long.parseLong(m.group(1)) + Long.parseLong(m.group(2))).isEqualTo(7);
        JsonNode again = data.get("/api/v1/networks/pooled/stats");
        if (again.get("leasesThisMinute").asText().equals(m.group(2))) { // the page and the API read the same minute
            List<String> history = new ArrayList<>();
            again.get("leasesPerMinuteHistory").forEach(n -> history.add(n.asText()));
            assertThat(browser.one(card + "[data-field=lease-history]").getText()).startsWith("Last 15 min: " + String.join(" ", history));
        }
        JsonNode status = data.get("/api/v1/networks/pooled/status");
        String expected = status.get("checkedAt").isNull() ? "Unknown" : status.get("status").asText();
        assertThat(browser.one(card + ".badge").getAttribute("data-status")).isEqualTo(expected);

        browser.one(card + "button.check").click();
        browser.waitFor(() -> browser.one(card + "button.check").isEnabled()
                && browser.one(card + ".badge").getAttribute("data-status").equals("Unknown"));
        JsonNode after = data.get("/api/v1/networks/pooled/status");
        assertThat(after.get("status").asText()).isEqualTo("Unknown");
        assertThat(after.get("reason").asText()).isEqualTo("no interface");
        assertThat(browser.one(card + "[data-field=reason]").getText()).isEqualTo(": no interface");
        assertThat(browser.one(card + ".checked time").getAttribute("datetime")).isEqualTo(after.get("checkedAt").asText());
    }

    @Test
    void leasesPageWalksPagesWithTheCursorAndSearchesByIpMacHostnameAndVm() throws Exception {
        data.network("paged", "198.18.32.0/24", "198.18.32.1", null, "198.18.32.10-198.18.32.200");
        List<JsonNode> made = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            made.add(data.allocate("paged", String.format("52:54:00:32:00:%02x", i), String.format("host-%02d", i)));
        }
        JsonNode vm = data.post("/api/v1/vms", "{\"name\":\"db1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"paged\",\"mac\":null}]}");
        String vmMac = vm.at("/nics/0/mac").asText();
        JsonNode vmLease = data.allocate("paged", vmMac, null);

        loggedIn();
        browser.show("leases?network=paged");
        JsonNode first = data.get("/api/v1/networks/paged/leases?limit=50");
        assertThat(shownIps()).isEqualTo(ips(first.get("items")));
        browser.rerender(() -> browser.one("#next-page").click());
        assertThat(browser.one("#lease-results caption").getText()).contains("after " + first.get("nextCursor").asText());
        JsonNode second = data.get("/api/v1/networks/paged/leases?limit=50&cursor=" + first.get("nextCursor").asText());
        assertThat(shownIps()).isEqualTo(ips(second.get("items"))).hasSize(11);
        assertThat(browser.all("#next-page")).isEmpty();

        String ip = made.get(5).get("ip").asText();
        search(ip);
        assertThat(shownIps()).containsExactly(ip);
        String mac = made.get(9).get("mac").asText();
        search(mac);
        assertThat(shownIps()).containsExactly(made.get(9).get("ip").asText());
        search("HOST-1");
        assertThat(shownIps()).isEqualTo(ips(data.get("/api/v1/networks/paged/leases?hostname=host-1").get("items"))).hasSize(10);
        search("db1");
        assertThat(shownIps()).containsExactly(vmLease.get("ip").asText());
        assertThat(browser.one("#lease-results tbody tr td:nth-child(5)").getText()).isEqualTo("VM db1/nic0");
        search("no-such-host");
        assertThat(browser.all("#lease-results tbody tr")).isEmpty();
        assertThat(browser.one("#lease-results .notice").getText()).contains("No leases");
    }

    void search(String text) {
        WebElement q = browser.one("#lease-q");
        q.clear();
        browser.rerender(() -> q.sendKeys(text, Keys.ENTER)); // the keyboard submits the form
        assertThat(browser.driver.getCurrentUrl()).contains("q=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
        assertThat(browser.all("#lease-results > *")).isNotEmpty();
    }

    List<String> shownIps() {
        return browser.all("#lease-results tbody tr").stream().map(r -> r.getAttribute("data-ip")).toList();
    }

    static List<String> ips(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(l -> out.add(l.get("ip").asText()));
        return out;
    }

    /** Issue 19: a NIC's history, newest first, a page at a time, as the history API answers it; accessible. */
    @Test
    void aNicsHistoryIsShownNewestFirstAPageAtATimeAsTheApiAnswers() throws Exception {
        data.network("hist", "198.18.46.0/24", "198.18.46.1", null, "198.18.46.10-198.18.46.99");
        data.network("hist2", "198.18.47.0/24", "198.18.47.1", null, "198.18.47.10-198.18.47.99");
        JsonNode vm = data.post("/api/v1/vms", "{\"name\":\"hist1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"hist\",\"mac\":null}]}");
        String mac = vm.at("/nics/0/mac").asText();
        for (int i = 0; i < 7; i++) { // the NIC's MAC takes and gives back an address on a second network: two events each
            String ip = data.allocate("hist2", mac, null).get("ip").asText();
            data.delete("/api/v1/networks/hist2/allocations/" + ip);
        }
        JsonNode first = data.get("/api/v1/history?mac=" + mac + "&limit=10");
        assertThat(first.get("items")).hasSize(10);
        JsonNode second = data.get("/api/v1/history?mac=" + mac + "&limit=10&cursor="
                + java.net.URLEncoder.encode(first.get("nextCursor").asText(), java.nio.charset.StandardCharsets.UTF_8));

        loggedIn();
        browser.show("vms?vm=hist1");
        browser.rerender(() -> browser.one("[data-vm=hist1] tr[data-nic=nic0] a.history-link").click());
        browser.waitFor(() -> !browser.all("[data-history='hist1/nic0'] tr[data-kind]").isEmpty());
        assertShows(first);
        assertThat(browser.seriousAccessibilityViolations()).as("NIC history").isEmpty();

        browser.rerender(() -> browser.one("#older-events").click());
        assertShows(second);
        assertThat(browser.all("#older-events")).as("the last page").isEmpty();
        browser.rerender(() -> browser.all("[data-history='hist1/nic0'] nav button").getFirst().click());
        assertShows(first);
    }

    /** The history table shows the API page's events in its order: kind, IP and actor per row. */
    void assertShows(JsonNode page) {
        List<WebElement> rows = browser.all("[data-history='hist1/nic0'] tr[data-kind]");
        assertThat(rows).hasSize(page.get("items").size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode e = page.get("items").get(i);
            assertThat(rows.get(i).getAttribute("data-kind")).isEqualTo(e.get("kind").asText());
            assertThat(rows.get(i).findElement(By.cssSelector("[data-field=actor]")).getText())
                    .isEqualTo(e.get("actor").isNull() ? "—" : e.get("actor").asText());
        }
        assertThat(rows.getFirst().getAttribute("data-kind")).isNotBlank();
    }

    @Test
    void vmsPageShowsEachNicSideBySideAndADriftAppearsOnceTheGuestReports() throws Exception {
        data.post("/api/v1/networks", """
                {"name":"vnet","cidr":"198.18.33.0/24","gateway":"198.18.33.1","ipv6Prefix":"2001:db8:0:33::/64",
                 "pools":["198.18.33.10-198.18.33.99"]}""");
        JsonNode vm = data.post("/api/v1/vms", "{\"name\":\"web1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"vnet\",\"mac\":null}]}");
        String mac = vm.at("/nics/0/mac").asText();
        String ip = vm.at("/nics/0/ip").asText();
        data.post("/api/v1/vms/web1/start", null);
        data.post("/api/v1/vms", "{\"name\":\"web2\",\"nics\":[{\"name\":\"nic0\",\"network\":\"vnet\",\"mac\":null}]}");
        data.put("/api/v1/vms/web2/nics/nic0/mac", "{\"mac\":\"52:54:00:33:aa:bb\"}");
        assertThat(data.get("/api/v1/vms/web1/drift").get("findings")).isEmpty();

        loggedIn();
        browser.show("vms");
        String row = "[data-vm=web1] tr[data-nic=nic0] ";
        JsonNode nic = data.get("/api/v1/vms/web1").at("/nics/0");
        assertThat(browser.one(row + "[data-field=mac]").getText()).isEqualTo(mac);
        assertThat(browser.one(row + "[data-field=pendingMac]").getText()).isEqualTo("—");
        assertThat(browser.one(row + "[data-field=observedMac]").getText()).isEqualTo("—");
        assertThat(browser.one(row + "[data-field=ip]").getText()).isEqualTo(ip);
        assertThat(browser.one(row + "[data-field=ipv6Slaac]").getText()).isEqualTo(nic.get("ipv6Slaac").asText()).startsWith("2001:db8:0:33:");
        assertThat(browser.all("[data-vm=web1] tr.drift")).isEmpty();
        assertThat(browser.one("[data-vm=web1] .ok").getText()).startsWith("No drift");
        assertThat(browser.one("[data-vm=web2] tr[data-nic=nic0] [data-field=pendingMac]").getText())
                .isEqualTo(data.get("/api/v1/vms/web2").at("/nics/0/pendingMac").asText()).isEqualTo("52:54:00:33:aa:bb");

        // the guest holds the NIC's address with another MAC (seed 000's two MACs)
        String guestMac = "52:54:00:33:cc:dd";
        data.post("/api/v1/vms/web1/observed", "{\"source\":\"qemu-guest-agent\",\"interfaces\":[{\"name\":\"eth0\","
                + "\"hardware-address\":\"" + guestMac + "\",\"ip-addresses\":[{\"ip-address-type\":\"ipv4\",\"ip-address\":\"" + ip
                + "\",\"prefix\":24}]}]}");
        JsonNode findings = data.get("/api/v1/vms/web1/drift").get("findings");
        assertThat(findings).isNotEmpty();
        browser.show("vms?vm=web1");
        assertThat(browser.all("[data-vm=web1] tr.drift[data-nic=nic0]")).hasSize(1);
        assertThat(browser.one(row + "th").getText()).contains("DRIFT");
        assertThat(browser.one(row + "[data-field=mac]").getText()).isEqualTo(mac);
        assertThat(browser.one(row + "[data-field=observedMac]").getText())
                .isEqualTo(data.get("/api/v1/vms/web1").at("/nics/0/observed/mac").asText()).isEqualTo(guestMac);
        List<WebElement> shown = browser.all("[data-vm=web1] .drift-findings li");
        assertThat(shown).hasSize(findings.size());
        for (int i = 0; i < findings.size(); i++) {
            assertThat(shown.get(i).getAttribute("data-kind")).isEqualTo(findings.get(i).get("kind").asText());
            assertThat(shown.get(i).findElement(By.cssSelector(".fix code")).getText()).isEqualTo(findings.get(i).get("fix").asText());
        }
        assertThat(shown).anyMatch(li -> li.getAttribute("data-kind").equals("mac-changed-in-guest"));
    }

    @Test
    void healthPageShowsTheDoctorsFindingsWithTheirFixPerNetwork() throws Exception {
        data.network("docnet", "198.18.34.0/24", "198.18.34.1", "vmt-ui-nobr", "198.18.34.10-198.18.34.20");
        loggedIn();
        browser.show("health");
        JsonNode doctor = data.get("/api/v1/doctor?network=docnet").get("findings");
        assertThat(doctor).isNotEmpty();
        List<WebElement> shown = browser.all("section[data-network=docnet] ul.findings > li");
        assertThat(shown).hasSize(doctor.size());
        JsonNode missing = null;
        for (JsonNode f : doctor) {
            missing = f.get("check").asText().equals("bridge-missing") ? f : missing;
        }
        assertThat(missing).isNotNull();
        WebElement li = browser.one("section[data-network=docnet] li[data-check=bridge-missing]");
        assertThat(li.getText()).contains(missing.get("evidence").asText());
        assertThat(li.findElement(By.cssSelector(".fix code")).getText()).isEqualTo(missing.get("fix").asText());
        assertThat(browser.one("section[data-network=docnet] .badge").getAttribute("data-status")).isIn("Unknown", "Inactive");
    }

    @Test
    void noPageRequestsAnythingButTheServerOnTheLoopback() throws Exception {
        data.network("quiet", "198.18.35.0/24", "198.18.35.1", "vmt-ui-quiet", "198.18.35.10-198.18.35.20");
        data.allocate("quiet", "52:54:00:35:00:01", "q1");
        loggedIn();
        for (String page : List.of("networks", "leases?network=quiet", "vms", "health")) {
            browser.show(page);
        }
        browser.show("networks");
        browser.one("[data-network=quiet] button.check").click();
        browser.waitFor(() -> browser.one("[data-network=quiet] button.check").isEnabled());
        List<String> urls = browser.requestedUrls();
        assertThat(urls).anyMatch(u -> u.endsWith("/ui/app.js")).anyMatch(u -> u.contains("/api/v1/networks/quiet/check"));
        // chrome:, data: and about: are the browser's own (its start page), not requests over a network
        assertThat(urls.stream().filter(u -> u.matches("(?i)^(https?|wss?|ftp):.*")).toList())
                .isNotEmpty().allMatch(u -> u.startsWith(srv.url + "/"), "every request goes to " + srv.url);
        assertThat(srv.url).startsWith("http://127.0.0.1:");
    }
}
