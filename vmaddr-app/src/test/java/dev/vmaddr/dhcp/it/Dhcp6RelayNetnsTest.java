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

/**
 * Issue 22 item 3: relayed DHCPv6 through ISC {@code dhcrelay -6} with the interface-id option
 * ({@code -I}). The relay's link-address (its global address on the client's link) selects the
 * network; the server has no interface on that link and answers the relay in RELAY-REPL, which
 * dhcrelay only forwards when the interface-id comes back.
 * <pre>
 *   srv0 2001:db8:0:ff::1 ── br0 ── rl:rup 2001:db8:0:ff::2   dhcrelay -6 -I -l rdown -u 2001:db8:0:ff::1%rup
 *                                     rl:rdown 2001:db8:0:5::1 ── brlan ── client eth0 (dhclient -6)
 * </pre>
 */
@RequiresRoot
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class Dhcp6RelayNetnsTest {
    @Test
    void relayedClientGetsAnAddressOfTheRelaysLink(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            Bridge lan = lab.netns().bridge(lab.switches(), "brlan");
            Netns relay = lab.netns().namespace("rl");
            lab.netns().connect(lab.bridge(0), relay, "rup", "198.18.0.2/24");
            lab.netns().connect(lan, relay, "rdown", "198.18.5.1/24");
            relay.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").orThrow();
            relay.exec("ip", "-6", "addr", "add", "2001:db8:0:ff::2/64", "dev", "rup", "nodad").orThrow();
            relay.exec("ip", "-6", "addr", "add", "2001:db8:0:5::1/64", "dev", "rdown", "nodad").orThrow();
            lab.serverNs().exec("ip", "-6", "addr", "add", "2001:db8:0:ff::1/64", "dev", "srv0", "nodad").orThrow();
            lab.startServer("""
                    dhcp:
                      interfaces: [srv0]
                      probe: { method: none, timeout: 300ms }
                    networks:
                      - name: lan0
                        cidr: 198.18.0.0/24
                        gateway: 198.18.0.1
                        bridge: srv0
                        ipv6Prefix: 2001:db8:0:ff::/64
                        pools: ["198.18.0.100-198.18.0.199"]
                      - name: far
                        cidr: 198.18.5.0/24
                        gateway: 198.18.5.1
                        dns: ["2001:db8:0:5::53"]
                        ipv6Prefix: 2001:db8:0:5::/64
                        ipv6Mode: stateful
                        ipv6Pools: ["2001:db8:0:5::100-2001:db8:0:5::1ff"]
                        pools: ["198.18.5.100-198.18.5.199"]
                    """);
            Dhcp6Clients.awaitLinkLocal(relay, "rdown", Duration.ofSeconds(20));
            Dhcp6Clients.awaitLinkLocal(relay, "rup", Duration.ofSeconds(20));
            NetnsProcess dhcrelay = relay.start("dhcrelay", "-6", "-d", "-I", "-pf", dir.resolve("dhcrelay6.pid").toString(),
                    "-l", "rdown", "-u", "2001:db8:0:ff::1%rup");
            Netns c = lab.netns().namespace("c");
            lab.netns().connect(lan, c, "eth0");
            c.exec("ip", "link", "set", "eth0", "address", "02:18:00:00:09:01").orThrow();

            DhcpClient d = new Dhcp6Clients(lab).dhclient(c, "LL");
            Map<String, String> bound = d.await("bound6", Duration.ofSeconds(40));
            String ip = bound.get("new_ip6_address");
            assertThat(ip).as(dhcrelay.describe()).startsWith("2001:db8:0:5::1");
            assertThat(bound).containsEntry("new_dhcp6_name_servers", "2001:db8:0:5::53");
            assertThat(lab.lease("far", ip)).containsEntry("state", "bound").containsEntry("mac", "02:18:00:00:09:01")
                    .containsEntry("duid", "00:03:00:01:02:18:00:00:09:01");
            assertThat(lab.leases("lan0")).noneMatch(l -> String.valueOf(l.get("ip")).contains(":"));
        }
    }
}
