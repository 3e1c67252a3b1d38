package dev.vmaddr.api.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.Json;
import dev.vmaddr.serve.multi.ServeChildMain;
import dev.vmaddr.testing.Forwarder;
import dev.vmaddr.testing.netns.BridgedHost;
import dev.vmaddr.testing.netns.ChildJvm;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network going Inactive in the UI when its gateway goes away. The server runs where its network
 * is: {@code vmaddr serve} inside a {@link BridgedHost} lab's host namespace, whose bridge br0 has the
 * gateway as a peer, so its connectivity checks probe a real bridge. The browser (root namespace)
 * reaches the server's 127.0.0.1 through a Unix socket ({@link Forwarder} unix-to-tcp inside the lab,
 * tcp-to-unix outside), so nothing in the root namespace changes.
 */
@RequiresRoot
class UiNetnsTest {
    static final Duration CHECK = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theNetworkTurnsInactiveWhenItsGatewayIsDownedAndSaysWhy() throws Exception {
        String token = HexFormat.of().formatHex(randomBytes());
        Path tokenFile = Files.writeString(Files.createFile(dir.resolve("api-token"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), token);
        Path config = Files.writeString(dir.resolve("vmaddr.yaml"), """
                dataDir: %s
                api:
                  listen: 127.0.0.1:8067
                  tokenFile: %s
                networks:
                  - name: uplink
                    cidr: 198.18.60.0/24
                    gateway: 198.18.60.1
                    bridge: br0
                    pools: ["198.18.60.100-198.18.60.150"]
                    route: { mode: manual, cidr: 198.18.60.0/24, gateway: 198.18.60.1 }
                """.formatted(dir.resolve("data"), tokenFile));
        Path socket = dir.resolve("api.sock");
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        Process outside = null;
        try (BridgedHost lab = BridgedHost.create()) {
            String gw = lab.peer("198.18.60.1/24");
            lab.peer(null); // a VM: keeps br0 up when the gateway's link goes, so the check reaches the gateway question
            NetnsProcess server = lab.startJava(lab.host, ServeChildMain.class, "serve", "--config", config.toString());
            server.awaitStderrLine(l -> l.contains("API listening on"), Duration.ofSeconds(90));
            lab.startJava(lab.host, Forwarder.class, Forwarder.unixToTcpArgs(socket, "127.0.0.1", 8067))
                    .awaitLine("READY"::equals, Duration.ofSeconds(60));
            // stdin stays a pipe: the forwarder exits when this JVM goes (ChildJvm.exitWhenParentGoes)
            outside = new ProcessBuilder(ChildJvm.command(Forwarder.class, Forwarder.tcpToUnixArgs("127.0.0.1", port, socket)))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("forwarder.log").toFile())).start();
            awaitHealthy(url);

            try (Browser browser = new Browser()) {
                browser.open(url);
                browser.login(token);
                browser.awaitRendered();
                String card = "[data-network=uplink] ";
                checkNow(browser, card);
                JsonNode active = status(url, token);
                assertThat(active.get("status").asText()).as(active.toString()).isEqualTo("Active");
                assertThat(browser.one(card + ".badge").getAttribute("data-status")).isEqualTo("Active");
                assertThat(browser.one(card + ".checked time").getAttribute("datetime")).isEqualTo(active.get("checkedAt").asText());
                UiPagesTest.screenshot(browser, "networks-active");

                lab.sh(gw, "ip", "link", "set", "eth0", "down");
                checkNow(browser, card);
                JsonNode inactive = status(url, token);
                assertThat(inactive.get("status").asText()).as(inactive.toString()).isEqualTo("Inactive");
                assertThat(browser.one(card + ".badge").getAttribute("data-status")).isEqualTo("Inactive");
                assertThat(browser.one(card + "[data-field=reason]").getText()).isEqualTo(": " + inactive.get("reason").asText());
                assertThat(inactive.get("reason").asText()).startsWith("gateway silent");
                UiPagesTest.screenshot(browser, "networks-inactive");
            }
        } finally {
            if (outside != null) {
                outside.destroy();
                if (!outside.waitFor(5, TimeUnit.SECONDS)) {
                    outside.destroyForcibly();
                }
            }
        }
    }

    /** Clicks "Check now" and waits (a check may take seconds: ARP and ping with retries) until it is done. */
    static void checkNow(Browser browser, String card) {
        String before = String.valueOf(browser.js("const t = document.querySelector(arguments[0]); return t ? t.getAttribute('datetime') : ''",
                card + ".checked time"));
        browser.one(card + "button.check").click();
        browser.waitFor(CHECK, () -> browser.one(card + "button.check").isEnabled()
                && !String.valueOf(browser.one(card + ".checked time").getAttribute("datetime")).equals(before));
    }

    static JsonNode status(String url, String token) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/api/v1/networks/uplink/status"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    static void awaitHealthy(String url) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 120; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // the forwarder is not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError(url + "/healthz did not answer within 30 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static byte[] randomBytes() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }
}
