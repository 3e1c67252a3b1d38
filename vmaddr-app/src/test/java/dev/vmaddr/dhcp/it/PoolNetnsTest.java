package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 4: release then reuse by another client; pool exhaustion refuses cleanly and recovers after
 * a release (pool of one address); a statically configured host on a pool address is never offered
 * (ICMP probe); a real client's DECLINE (dhcpcd ARP-probes the offered address); 20 clients at once
 * get 20 distinct addresses.
 */
@RequiresRoot
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PoolNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static String config(String probe, String pool) {
        return DhcpLab.lan0().probe(probe).pools(pool).yaml();
    }

    @Test
    void releasedAddressGoesToAnotherClientAndExhaustionRefusesUntilARelease(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(config("none", "198.18.0.100-198.18.0.100"));

            // dhclient takes the only address, then releases it with dhclient -r.
            DhcpClient a = lab.dhclient(lab.client("a", 0, "02:18:00:00:03:01"));
            assertThat(a.ip(a.await("bound", WAIT))).isEqualTo("198.18.0.100");
            a.close();
            // RELEASE is a unicast that may wait for ARP, and the client's hook removes its address
            // right after sending it; a known neighbour keeps the packet from being lost (as on a real
            // LAN, where the client has talked to the server's network before).
            knowServer(a);
            assertThat(lab.dhclientRelease(a).exitCode()).as("dhclient -r").isZero();
            lab.awaitLeaseState("lan0", "198.18.0.100", "released", WAIT);

            // Another client gets it.
            DhcpClient b = lab.dhclient(lab.client("b", 0, "02:18:00:00:03:02"));
            assertThat(b.ip(b.await("bound", WAIT))).isEqualTo("198.18.0.100");
            FirstLeaseNetnsTest.assertLease(lab, "198.18.0.100", "02:18:00:00:03:02", null);

            // Pool exhausted: the third client gets no answer at all, gives up (udhcpc -n exits 1).
            Netns cNs = lab.client("c", 0, "02:18:00:00:03:03");
            DhcpClient c = lab.udhcpc(cNs);
            assertThat(c.waitFor(WAIT)).as(c.describe()).isEqualTo(1);
            assertThat(c.eventNames()).containsExactly("deconfig", "leasefail");
            assertThat(lab.server().stderrLines()).anyMatch(l -> l.contains("reason=exhausted") || l.contains("EXHAUSTED"));

            // b stops (RELEASE), and a new attempt by c succeeds.
            // b gives it back (dhclient -r). udhcpc -R's release on SIGTERM was seen lost under load here.
            b.close();
            knowServer(b);
            assertThat(lab.dhclientRelease(b).exitCode()).as("dhclient -r").isZero();
            lab.awaitLeaseState("lan0", "198.18.0.100", "released", WAIT);
            DhcpClient cAgain = lab.udhcpc(cNs);
            assertThat(cAgain.ip(cAgain.await("bound", WAIT))).isEqualTo("198.18.0.100");
            FirstLeaseNetnsTest.assertLease(lab, "198.18.0.100", "02:18:00:00:03:03", "01021800000303");
        }
    }

    private static void knowServer(DhcpClient c) {
        c.namespace().exec("ping", "-c1", "-W2", "198.18.0.1").orThrow();
    }

    @Test
    void staticHostOnAPoolAddressIsNeverOffered(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.staticHost("st", 0, "198.18.0.100/24");
            lab.startServer(config("icmp", "198.18.0.100-198.18.0.101"));

            // The first client asks for the occupied address (udhcpc -r: option 50 in its DISCOVER
            // only), so the server must probe it and offer the other one; without the request the
            // random first candidate would be .101 half the time and nothing would be probed.
            DhcpClient first = lab.udhcpc(lab.client("c1", 0, "02:18:00:00:04:01"), "-r", "198.18.0.100");
            assertThat(first.ip(first.await("bound", WAIT))).as(first.describe()).isEqualTo("198.18.0.101");
            // Given back through the API: udhcpc -R's RELEASE on SIGTERM is sometimes not sent at all
            // (none reaches the server's socket, seen with debug logs); dhclient -r below covers RELEASE.
            first.close();
            // udhcpc -R deconfigures on SIGTERM: its address is gone, else the next probe of .101 finds
            // it and quarantines the pool's last address (seen when the harness's SIGTERM also closed
            // udhcpc's output pipes and SIGPIPE killed it first).
            assertThat(first.eventNames()).as(first.describe()).endsWith("deconfig");
            lab.releaseViaApi("lan0", "198.18.0.101");
            lab.awaitLeaseState("lan0", "198.18.0.101", "released", WAIT);

            // Then others, one after the other: the quarantined address is never offered to them.
            for (int i = 2; i <= 3; i++) {
                DhcpClient c = lab.dhclient(lab.client("c" + i, 0, "02:18:00:00:04:0" + i));
                assertThat(c.ip(c.await("bound", WAIT))).as(c.describe()).isEqualTo("198.18.0.101");
                c.close();
                knowServer(c);
                assertThat(lab.dhclientRelease(c).exitCode()).as("dhclient -r").isZero();
                lab.awaitLeaseState("lan0", "198.18.0.101", "released", WAIT);
            }

            assertThat(lab.server().stderrLines()).anyMatch(l -> l.contains("event=lease.declined")
                    && l.contains("ip=198.18.0.100") && l.contains("answered a probe"));
            // The conflict stays quarantined (declined) for its quarantine time, whatever the client
            // that was offered it does next.
            assertThat(lab.lease("lan0", "198.18.0.100")).as("lease of the probed address")
                    .isNotNull().containsEntry("state", "declined");

        }
    }

    @Test
    void dhcpcdDeclinesAnOfferedAddressSomeoneElseHolds(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            // No server probe: only the client's ARP probe can find the static host.
            lab.staticHost("st", 0, "198.18.0.100/24");
            lab.startServer(config("none", "198.18.0.100-198.18.0.100"));

            DhcpClient c = lab.dhcpcd(lab.client("c", 0, "02:18:00:00:05:01"), List.of());

            c.process().awaitStderrLine(l -> l.contains("DAD detected") || l.contains("declin"), WAIT);
            lab.server().awaitStderrLine(l -> l.contains("event=lease.declined") && l.contains("ip=198.18.0.100"), WAIT);
            assertThat(lab.lease("lan0", "198.18.0.100")).containsEntry("state", "declined")
                    .containsEntry("mac", "02:18:00:00:05:01");
            assertThat(c.events()).noneMatch(e -> e.get("event").equals("bound"));
        }
    }

    @Test
    void twentyClientsAtOnceGetTwentyDistinctAddresses(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(config("icmp", "198.18.0.100-198.18.0.199"));
            List<DhcpClient> clients = new ArrayList<>();
            List<Netns> namespaces = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                namespaces.add(lab.client("m" + i, 0, "02:18:00:00:06:%02x".formatted(i)));
            }
            for (Netns ns : namespaces) {
                clients.add(lab.udhcpc(ns));
            }

            List<String> ips = new ArrayList<>();
            for (DhcpClient c : clients) {
                ips.add(c.ip(c.await("bound", WAIT)));
            }

            assertThat(ips).doesNotHaveDuplicates().allMatch(ip -> ip.startsWith("198.18.0.1"));
            List<Map<String, Object>> leases = lab.leases("lan0");
            for (int i = 0; i < 20; i++) {
                String mac = "02:18:00:00:06:%02x".formatted(i);
                String ip = ips.get(i);
                assertThat(leases).as(mac).anyMatch(l -> ip.equals(l.get("ip")) && mac.equals(l.get("mac"))
                        && "bound".equals(l.get("state")));
            }
        }
    }
}
