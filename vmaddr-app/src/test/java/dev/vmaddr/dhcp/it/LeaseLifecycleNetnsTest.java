package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 with real DHCP clients in namespaces: the reuse cooldown (whereabouts#288: a released
 * address does not go to the next new client while never-used ones are free, and its client gets it
 * back), and clones that send one client-id from two MACs (harvester#4474: with the default key they
 * share a lease, which is drift {@code client-id-shared}; with {@code leaseKey: mac} each has its own).
 */
@RequiresRoot
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LeaseLifecycleNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aReleasedAddressGoesToNoNewClientWhileNeverUsedOnesAreFreeAndComesBackToItsClient(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer("""
                    dhcp:
                      interfaces: [srv0]
                      probe: { method: none, timeout: 300ms }
                      authoritative: true
                    networks:
                      - name: lan0
                        cidr: 198.18.0.0/24
                        gateway: 198.18.0.1
                        bridge: srv0
                        leaseTime: 600s
                        pools: ["198.18.0.100-198.18.0.103"]
                    """);
            DhcpClient first = lab.dhclient(lab.client("c1", 0, "02:18:20:00:00:01"));
            String released = first.ip(first.await("bound", WAIT));
            first.close();
            assertThat(lab.dhclientRelease(first).exitCode()).isZero();
            lab.awaitLeaseState("lan0", released, "released", WAIT);

            // three new clients, one after the other: each gets a never-used address, none the released one
            List<String> given = new ArrayList<>();
            for (int i = 2; i <= 4; i++) {
                DhcpClient c = lab.dhclient(lab.client("c" + i, 0, "02:18:20:00:00:0" + i));
                given.add(c.ip(c.await("bound", WAIT)));
                c.close();
            }
            assertThat(given).doesNotContain(released).doesNotHaveDuplicates();

            // the pool's last address is the released one; its own client asks again and gets it
            DhcpClient back = lab.dhclientAgain(first);
            assertThat(back.ip(back.await("bound", WAIT))).isEqualTo(released);
            assertThat(lab.lease("lan0", released)).containsEntry("mac", "02:18:20:00:00:01").containsEntry("state", "bound");
            back.close();
        }
    }

    @Test
    void clonesWithOneClientIdShareALeaseUnlessTheNetworkIsKeyedByMac(@TempDir Path dir) throws Exception {
        try (DhcpLab lab = DhcpLab.create(dir, 2)) {
            lab.startServer("""
                    dhcp:
                      interfaces: [srv0, srv1]
                      probe: { method: none, timeout: 300ms }
                      authoritative: true
                    networks:
                      - name: lan0
                        cidr: 198.18.0.0/24
                        gateway: 198.18.0.1
                        bridge: srv0
                        leaseTime: 600s
                        pools: ["198.18.0.100-198.18.0.199"]
                      - name: lan1
                        cidr: 198.18.1.0/24
                        gateway: 198.18.1.1
                        bridge: srv1
                        leaseTime: 600s
                        leaseKey: mac
                        pools: ["198.18.1.100-198.18.1.199"]
                    """);
            // the machine-id's DUID, as systemd-networkd would send it (RFC 4361: ff + IAID + DUID)
            String sameId = "send dhcp-client-identifier ff:00:00:00:01:00:02:00:00:ab:11:0a:0b:0c:0d:0e:0f;";

            DhcpClient a0 = lab.dhclient(lab.client("a0", 0, "02:18:20:00:01:01"), sameId);
            String ipA0 = a0.ip(a0.await("bound", WAIT));
            DhcpClient b0 = lab.dhclient(lab.client("b0", 0, "02:18:20:00:01:02"), sameId);
            String ipB0 = b0.ip(b0.await("bound", WAIT));
            assertThat(ipB0).as("keyed by client-id, the clone is given the original's lease").isEqualTo(ipA0);

            JsonNode drift = JSON.readTree(lab.apiOk("GET", "/api/v1/networks/lan0/drift", null));
            JsonNode shared = null;
            for (JsonNode f : drift.get("findings")) {
                if ("client-id-shared".equals(f.get("kind").asText())) {
                    shared = f;
                }
            }
            assertThat(shared).as("drift of lan0: %s", drift).isNotNull();
            assertThat(shared.get("observed").asText()).contains("02:18:20:00:01:01", "02:18:20:00:01:02", ipA0);
            assertThat(shared.get("fix").asText()).contains("systemd-machine-id-setup", "leaseKey: mac", "cloneOf");

            DhcpClient a1 = lab.dhclient(lab.client("a1", 1, "02:18:20:00:02:01"), sameId);
            String ipA1 = a1.ip(a1.await("bound", WAIT));
            DhcpClient b1 = lab.dhclient(lab.client("b1", 1, "02:18:20:00:02:02"), sameId);
            String ipB1 = b1.ip(b1.await("bound", WAIT));
            assertThat(ipB1).as("keyed by MAC, each clone has its own").isNotEqualTo(ipA1);
            assertThat(lab.lease("lan1", ipA1)).containsEntry("mac", "02:18:20:00:02:01").containsEntry("clientId", null);
            assertThat(lab.lease("lan1", ipB1)).containsEntry("mac", "02:18:20:00:02:02").containsEntry("state", "bound");
            JsonNode net = JSON.readTree(lab.apiOk("GET", "/api/v1/networks/lan1", null));
            assertThat(net.get("leaseKey").asText()).isEqualTo("mac");
            for (DhcpClient c : List.of(a0, b0, a1, b1)) {
                c.close();
            }
        }
    }
}
