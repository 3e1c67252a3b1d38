package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 item 2: stateful DHCPv6 with ISC {@code dhclient -6}: an address from {@code ipv6Pools}
 * with the network's timers and DNS, RENEW at T1, RELEASE; reservations by DUID (DUID-LL) and by
 * MAC (taken from a DUID-LLT); every binding in the API's lease list with its DUID and MAC; a
 * binding and the server DUID survive {@code kill -9}.
 */
@RequiresRoot
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class Dhcp6NetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    static final String CONFIG = """
            dhcp:
              interfaces: [srv0]
              probe: { method: none, timeout: 300ms }
            networks:
              - name: lan0
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                dns: ["2001:db8:0:1::53"]
                domain: lab.example
                bridge: srv0
                ipv6Prefix: 2001:db8:0:1::/64
                ipv6Mode: stateful
                ipv6Pools: ["2001:db8:0:1::100-2001:db8:0:1::1ff"]
                leaseTime: 120s
                renewTime: 6s
                rebindTime: 100s
                pools: ["198.18.0.100-198.18.0.199"]
                reservations:
                  - { duid: "00:03:00:01:02:18:00:00:07:02", ip: "2001:db8:0:1::52" }
                  - { mac: "02:18:00:00:07:03", ip: "2001:db8:0:1::53:1" }
            """;

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void dhclientGetsRenewsAndReleasesAnAddressAndReservationsHold(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG);
            Dhcp6Clients v6 = new Dhcp6Clients(lab);
            Netns c1 = lab.client("c1", 0, "02:18:00:00:07:01");
            Netns c2 = lab.client("c2", 0, "02:18:00:00:07:02");
            Netns c3 = lab.client("c3", 0, "02:18:00:00:07:03");
            DhcpClient d1 = v6.dhclient(c1, "LL");
            DhcpClient d2 = v6.dhclient(c2, "LL");
            DhcpClient d3 = v6.dhclient(c3, "LLT");

            Map<String, String> b1 = d1.await("bound6", WAIT);
            String ip1 = b1.get("new_ip6_address");
            assertThat(ip1).startsWith("2001:db8:0:1::1");
            assertThat(b1).containsEntry("new_dhcp6_name_servers", "2001:db8:0:1::53")
                    .containsEntry("new_dhcp6_domain_search", "lab.example.")
                    .containsEntry("new_max_life", "120")
                    .containsEntry("new_preferred_life", "100")
                    .containsEntry("new_renew", "6")
                    .containsEntry("new_rebind", "100");
            assertThat(d2.await("bound6", WAIT)).containsEntry("new_ip6_address", "2001:db8:0:1::52");
            assertThat(d3.await("bound6", WAIT)).containsEntry("new_ip6_address", "2001:db8:0:1::53:1");
            assertThat(c1.exec("ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global").orThrow().stdout())
                    .contains("inet6 " + ip1 + "/");

            // The API lists each binding with its DUID and the MAC from the DUID.
            Map<String, Object> l1 = lab.lease("lan0", ip1);
            assertThat(l1).containsEntry("state", "bound").containsEntry("mac", "02:18:00:00:07:01")
                    .containsEntry("duid", "00:03:00:01:02:18:00:00:07:01");
            assertThat(lab.lease("lan0", "2001:db8:0:1::53:1")).containsEntry("mac", "02:18:00:00:07:03");

            // RENEW at T1 (6 s): the same address, the lease extended.
            String boundUntil = (String) l1.get("expiresAt");
            Map<String, String> renewed = d1.await("renew6", Duration.ofSeconds(30));
            assertThat(renewed).containsEntry("new_ip6_address", ip1);
            assertThat((String) lab.lease("lan0", ip1).get("expiresAt")).isGreaterThan(boundUntil);

            // kill -9 and restart: the binding is still there, and the client's next RENEW (to the server
            // DUID it was given, kept in the store) is answered with the same address.
            lab.killServer();
            lab.restartServer();
            assertThat(lab.lease("lan0", ip1)).containsEntry("state", "bound")
                    .containsEntry("duid", "00:03:00:01:02:18:00:00:07:01");
            int seen = d1.events().size();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            Map<String, String> after = null;
            while (after == null && System.nanoTime() < deadline) {
                var events = d1.events();
                for (int i = seen; i < events.size(); i++) {
                    if (events.get(i).get("event").equals("renew6")) {
                        after = events.get(i);
                    }
                }
                sleep(200);
            }
            assertThat(after).as("a RENEW6 answered after the restart: " + d1.eventNames()).isNotNull()
                    .containsEntry("new_ip6_address", ip1);

            // RELEASE: dhclient -6 -r; the address is released on the server.
            v6.release(d1, "LL");
            lab.awaitLeaseState("lan0", ip1, "released", Duration.ofSeconds(20));
        }
    }
}
