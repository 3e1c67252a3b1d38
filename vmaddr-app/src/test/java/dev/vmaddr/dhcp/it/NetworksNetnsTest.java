package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Bridge;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 4: two bridges served by one process (each client gets its own network's address and
 * router), and a LAN behind ISC dhcrelay (giaddr selects the network; no interface listed for it).
 */
@RequiresRoot
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NetworksNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void oneProcessServesTwoBridgesEachWithItsOwnNetwork(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 2)) {
            lab.startServer("""
                    dhcp:
                      interfaces: [srv0, srv1]
                      probe: { method: none, timeout: 300ms }
                    networks:
                      - name: lan0
                        cidr: 198.18.0.0/24
                        gateway: 198.18.0.1
                        dns: [198.18.0.53]
                        bridge: srv0
                        pools: ["198.18.0.100-198.18.0.199"]
                      - name: lan1
                        cidr: 198.18.1.0/24
                        gateway: 198.18.1.1
                        dns: [198.18.1.53]
                        bridge: srv1
                        pools: ["198.18.1.100-198.18.1.199"]
                    """);
            DhcpClient a = lab.udhcpc(lab.client("a", 0, "02:18:00:00:07:01"));
            DhcpClient b = lab.dhclient(lab.client("b", 1, "02:18:00:00:07:02"));

            Map<String, String> ea = a.await("bound", WAIT);
            Map<String, String> eb = b.await("bound", WAIT);

            assertThat(ea.get("ip")).startsWith("198.18.0.1");
            assertThat(ea).containsEntry("router", "198.18.0.1").containsEntry("serverid", "198.18.0.1")
                    .containsEntry("dns", "198.18.0.53");
            assertThat(eb.get("new_ip_address")).startsWith("198.18.1.1");
            assertThat(eb).containsEntry("new_routers", "198.18.1.1").containsEntry("new_dhcp_server_identifier", "198.18.1.1")
                    .containsEntry("new_domain_name_servers", "198.18.1.53");
            assertThat(lab.lease("lan0", ea.get("ip"))).containsEntry("mac", "02:18:00:00:07:01").containsEntry("state", "bound");
            assertThat(lab.lease("lan1", eb.get("new_ip_address"))).containsEntry("mac", "02:18:00:00:07:02")
                    .containsEntry("state", "bound");
        }
    }

    /**
     * <pre>
     *   srv0 198.18.0.1 ── br0 ── rl:rup 198.18.0.2   dhcrelay -id rdown -iu rup 198.18.0.1
     *                                rl:rdown 198.18.5.1 ── br1 ── client eth0 (198.18.5.x by DHCP)
     * </pre>
     * The server has no interface on 198.18.5.0/24; it routes back to it via the relay.
     */
    @Test
    void relayedClientGetsTheRelayedNetworksAddressAndRouter(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            Bridge lan = lab.netns().bridge(lab.switches(), "brlan");
            Netns relay = lab.netns().namespace("rl");
            lab.netns().connect(lab.bridge(0), relay, "rup", "198.18.0.2/24");
            lab.netns().connect(lan, relay, "rdown", "198.18.5.1/24");
            relay.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
            lab.serverNs().exec("ip", "route", "add", "198.18.5.0/24", "via", "198.18.0.2").orThrow();
            lab.startServer("""
                    dhcp:
                      interfaces: [srv0]
                      probe: { method: icmp, timeout: 300ms }
                    networks:
                      - name: lan0
                        cidr: 198.18.0.0/24
                        gateway: 198.18.0.1
                        bridge: srv0
                        pools: ["198.18.0.100-198.18.0.199"]
                      - name: far
                        cidr: 198.18.5.0/24
                        gateway: 198.18.5.1
                        dns: [198.18.0.53]
                        domain: far.example
                        pools: ["198.18.5.100-198.18.5.199"]
                    """);
            NetnsProcess dhcrelay = relay.start("dhcrelay", "-d", "-4", "-id", "rdown", "-iu", "rup", "198.18.0.1");
            Netns cNs = lab.netns().namespace("c");
            lab.netns().connect(lan, cNs, "eth0");
            cNs.exec("ip", "link", "set", "eth0", "address", "02:18:00:00:08:01").orThrow();

            DhcpClient d = lab.dhclient(cNs);
            Map<String, String> bound = d.await("bound", WAIT);

            assertThat(bound.get("new_ip_address")).as(dhcrelay.describe()).startsWith("198.18.5.1");
            assertThat(bound).containsEntry("new_routers", "198.18.5.1").containsEntry("new_subnet_mask", "255.255.255.0")
                    .containsEntry("new_domain_name", "far.example").containsEntry("new_dhcp_server_identifier", "198.18.0.1");
            assertThat(lab.lease("far", bound.get("new_ip_address"))).containsEntry("mac", "02:18:00:00:08:01")
                    .containsEntry("state", "bound");
            // And the client can reach the server through the relay with what it got.
            cNs.exec("ip", "route", "add", "198.18.0.0/24", "via", bound.get("new_routers")).orThrow();
            assertThat(cNs.exec("ping", "-c1", "-W2", "198.18.0.1").exitCode()).isZero();
        }
    }
}
