package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23, DHCP side, against real peers: Kea's perfdhcp floods a bridge with thousands of random
 * MACs (a starvation tool) while ISC dhclient with a reservation binds and renews; and on a
 * {@code clients: known} network a real client vmaddr does not know gets nothing and is counted.
 */
@RequiresRoot
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClientGuardNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String RESERVED_MAC = "02:18:aa:00:00:50";
    private static final int PER_SECOND = 5;
    private static final int BURST = 10;
    private static final String CONFIG = """
            dhcp:
              interfaces: [srv0]
              probe: { method: none, timeout: 300ms }
              authoritative: true
              newClients: { perSecond: %d, burst: %d, offersInFlight: 20 }
            networks:
              - name: lan0
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                bridge: srv0
                clients: %s
                leaseTime: 12s
                renewTime: 3s
                rebindTime: 10s
                pools: ["198.18.0.100-198.18.0.199"]
                reservations:
                  - { mac: "%s", ip: 198.18.0.50, hostname: db1 }
            """;

    @Test
    void floodOfRandomMacsCannotStarveAReservedClientNorTakeThePoolFasterThanTheLimit(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG.formatted(PER_SECOND, BURST, "any", RESERVED_MAC));
            // perfdhcp on the bridge: DORA from up to 50,000 MACs. It speaks as a relay (giaddr = its own
            // address, so the requests select lan0 and arrive on srv0 like the guest's): in direct mode
            // its broadcast send fails here (EACCES, no SO_BROADCAST on its socket).
            Netns flooder = lab.staticHost("flood", 0, "198.18.0.250/24");
            long started = System.nanoTime();
            NetnsProcess flood = flooder.start("perfdhcp", "-4", "-l", "198.18.0.250", "-r", "300", "-R", "50000", "-p", "10",
                    "-W", "100", "198.18.0.1");
            // the real client with a reservation starts once the flood runs
            flood.awaitLine(l -> true, Duration.ofSeconds(10));
            sleep(Duration.ofSeconds(1));
            DhcpClient dhclient = lab.dhclient(lab.client("r1", 0, RESERVED_MAC));
            assertThat(dhclient.ip(dhclient.await("bound", WAIT))).isEqualTo("198.18.0.50");
            Map<String, String> renew = dhclient.await("renew", WAIT);
            assertThat(renew).containsEntry("new_ip_address", "198.18.0.50");
            flood.waitFor(Duration.ofSeconds(40));
            double seconds = (System.nanoTime() - started) / 1e9;

            long sent = perfdhcpSent(flood);
            List<Map<String, Object>> taken = lab.leases("lan0").stream()
                    .filter(l -> !RESERVED_MAC.equals(l.get("mac"))).toList();
            String metrics = lab.apiOk("GET", "/metrics", null);
            long rateDrops = counter(metrics, "new-client-rate");
            System.out.printf("flood: %d DISCOVERs in %.1f s, %d dropped as new-client-rate, %d addresses taken%n",
                    sent, seconds, rateDrops, taken.size());
            assertThat(sent).as("DISCOVERs perfdhcp sent\n" + flood.describe()).isGreaterThan(500);
            assertThat(rateDrops).as(metrics).isGreaterThan(sent / 2);
            // a flood takes at most burst + perSecond * its duration addresses; the pool (100) is not exhausted
            assertThat(taken.size()).as("addresses the flood holds after %.1f s", seconds)
                    .isPositive().isLessThanOrEqualTo(BURST + (int) Math.ceil(PER_SECOND * seconds));
            assertThat(taken.size()).isLessThan(100);
            dhclient.close();
        }
    }

    @Test
    void knownNetworkGivesAnUnknownRealClientNothingAndCountsIt(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG.formatted(PER_SECOND, BURST, "known", RESERVED_MAC));
            DhcpClient stranger = lab.udhcpc(lab.client("u1", 0, "02:18:ee:00:00:01"));
            DhcpClient reserved = lab.dhclient(lab.client("r1", 0, RESERVED_MAC));
            assertThat(reserved.ip(reserved.await("bound", WAIT))).isEqualTo("198.18.0.50");
            // udhcpc has sent its DISCOVERs (three, 3 s apart, by default) by the time the known client
            // bound; wait until the server counted at least two of them, then check it answered none
            long deadline = System.nanoTime() + WAIT.toNanos();
            long unknown = 0;
            while (System.nanoTime() < deadline && (unknown = counter(lab.apiOk("GET", "/metrics", null), "unknown-client")) < 2) {
                sleep(Duration.ofMillis(250));
            }
            assertThat(unknown).isGreaterThanOrEqualTo(2);
            assertThat(stranger.eventNames()).doesNotContain("bound");
            assertThat(lab.leases("lan0")).allSatisfy(l -> assertThat(l.get("mac")).isEqualTo(RESERVED_MAC));
            stranger.close();
            reserved.close();
        }
    }

    private static long counter(String metrics, String reason) {
        Matcher m = Pattern.compile("(?m)^vmaddr_dhcp_dropped_total\\{reason=\"" + reason + "\"} ([0-9.E]+)$").matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    /** perfdhcp's "sent packets: N" of its DISCOVER line (the first). */
    private static long perfdhcpSent(NetnsProcess p) {
        for (String l : p.lines()) {
            Matcher m = Pattern.compile("sent packets: (\\d+)").matcher(l);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        return 0;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
