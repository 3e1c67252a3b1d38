package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 item 2: twenty DHCPv6 clients at once, half ISC dhclient -6 and half dhcpcd (which finds
 * DHCPv6 through the RA's M flag), on a {@code both} network: every one gets a distinct address from
 * the pool, the server lists each binding with its client's MAC, and the SLAAC address appears too.
 */
@RequiresRoot
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class Dhcp6ManyClientsNetnsTest {
    static final String CONFIG = """
            dhcp:
              interfaces: [srv0]
              probe: { method: none, timeout: 300ms }
            networks:
              - name: lan0
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                dns: ["2001:db8:0:1::53"]
                bridge: srv0
                ipv6Prefix: 2001:db8:0:1::/64
                ipv6Mode: both
                ipv6Pools: ["2001:db8:0:1::100-2001:db8:0:1::1ff"]
                leaseTime: 600s
                pools: ["198.18.0.100-198.18.0.199"]
            """;

    @Test
    void twentyClientsAtOnceGetDistinctAddresses(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG);
            Dhcp6Clients v6 = new Dhcp6Clients(lab);
            List<Netns> hosts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                hosts.add(lab.client("m" + i, 0, String.format("02:18:00:00:08:%02x", i)));
            }
            List<DhcpClient> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                clients.add(i % 2 == 0 ? v6.dhclient(hosts.get(i), "LL") : v6.dhcpcd(hosts.get(i)));
            }
            Set<String> ips = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                DhcpClient c = clients.get(i);
                Map<String, String> bound = c.await(e -> e.get("event").equals("bound6") && c.ip(e) != null,
                        Duration.ofSeconds(90), "a bound6 with an address");
                String ip = c.ip(bound);
                assertThat(ip).as("client " + i).startsWith("2001:db8:0:1::1");
                ips.add(ip);
                Map<String, Object> lease = lab.lease("lan0", ip);
                assertThat(lease).as("lease of " + ip).isNotNull().containsEntry("state", "bound");
                if (c.kind() == DhcpClient.Kind.DHCLIENT6) {
                    assertThat(lease).containsEntry("mac", String.format("02:18:00:00:08:%02x", i));
                }
            }
            assertThat(ips).hasSize(20);
            // Mode both: the prefix is autonomous too. The kernel's SLAAC (beside dhclient) takes the EUI-64
            // address; dhcpcd does its own SLAAC (from the MAC the veth had when it started) beside its IA_NA.
            assertThat(RaSlaac.awaitGlobal(hosts.get(0), "2001:db8:0:1:18:ff:fe00:800/64", Duration.ofSeconds(30))).isTrue();
            assertThat(hosts.get(1).exec("ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global").orThrow()
                    .stdout()).containsPattern("inet6 2001:db8:0:1:[0-9a-f:]+/64 .*mngtmpaddr");
        }
    }
}
