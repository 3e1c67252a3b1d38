package dev.vmaddr.connectivity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.cli.Main;
import dev.vmaddr.testing.netns.BridgedHost;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 6: the connectivity check of a network vmaddr itself serves took leases from vmaddr's own
 * pool (a DISCOVER to ourselves leaves an {@code offered} lease for hostname "vmaddr-probe"). A real
 * {@code vmaddr serve} on the lab host's bridge, in route mode auto (no {@code route:}), checked several times.
 */
@RequiresRoot
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SelfServedCheckNetnsTest {
    static final int CHECKS = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aNetworkVmaddrServesIsCheckedFromItsConfigAndLeavesNothingInThePool(@TempDir Path dir) throws Exception {
        try (BridgedHost lab = BridgedHost.create()) {
            lab.sh(lab.host, "ip", "addr", "add", "198.18.0.1/24", "dev", "br0");
            lab.peer(null); // a VM's port, so the bridge has carrier
            Path config = dir.resolve("vmaddr.yaml");
            Files.writeString(config, """
                    dataDir: %s
                    api: { listen: "127.0.0.1:8067", tokenFile: %s }
                    dhcp:
                      interfaces: [br0]
                      probe: { method: none, timeout: 300ms }
                    networks:
                      - name: lan0
                        cidr: 198.18.0.0/24
                        gateway: 198.18.0.1
                        bridge: br0
                        pools: ["198.18.0.100-198.18.0.150"]
                      - name: ipam-only
                        cidr: 198.18.1.0/24
                        gateway: 198.18.1.1
                    """.formatted(dir.resolve("data"), dir.resolve("token")));
            NetnsProcess server = lab.startJava(lab.host, Main.class, "serve", "--config", config.toString());
            server.awaitStderrLine(l -> l.contains("event=server.ready"), Duration.ofSeconds(60));
            String token = Files.readString(dir.resolve("token")).strip();

            for (int i = 0; i < CHECKS; i++) {
                JsonNode s = api(lab, token, "POST", "/api/v1/networks/lan0/check");
                assertThat(s.path("status").asText()).as(s.toString()).isEqualTo("Active");
                assertThat(s.path("mode").asText()).isEqualTo("auto");
                assertThat(s.path("cidr").asText()).isEqualTo("198.18.0.0/24");
                assertThat(s.path("gateway").asText()).isEqualTo("198.18.0.1");
            }
            // Item 8 beside it: a network with no bridge on this host is Unknown, never Inactive.
            JsonNode ipamOnly = api(lab, token, "POST", "/api/v1/networks/ipam-only/check");
            assertThat(ipamOnly.path("status").asText()).as(ipamOnly.toString()).isEqualTo("Unknown");
            assertThat(ipamOnly.path("reason").asText()).isEqualTo("no interface");
            List<String> leases = new ArrayList<>();
            for (JsonNode l : api(lab, token, "GET", "/api/v1/networks/lan0/leases").path("items")) {
                leases.add(l.toString());
            }
            assertThat(leases).as("leases after %d checks", CHECKS).noneMatch(l -> l.contains("vmaddr"));
            assertThat(server.stderr()).doesNotContain("vmaddr-probe");
        }
    }

    static JsonNode api(BridgedHost lab, String token, String method, String path) throws Exception {
        String out = lab.sh(lab.host, "curl", "-sS", "--fail-with-body", "-m", "30", "-X", method,
                "-H", "Authorization: Bearer " + token, "http://127.0.0.1:8067" + path).stdout();
        return JSON.readTree(out);
    }
}
