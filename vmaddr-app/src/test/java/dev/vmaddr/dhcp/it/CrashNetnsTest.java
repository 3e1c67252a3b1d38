package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 4 crash test: under relayed DHCP load ({@link RelayLoadMain}), {@code kill -9} the server at
 * a random moment, restart it on the same data dir: every lease it ACKed before dying is there,
 * bound to the MAC it was ACKed to, and no address was ACKed to two MACs. Three rounds.
 */
@RequiresRoot
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrashNetnsTest {
    private static final int ROUNDS = 3;
    private static final int MACS_PER_ROUND = 400;
    private static final String CONFIG = """
            dhcp:
              interfaces: [srv0]
              probe: { method: none, timeout: 300ms }
            networks:
              - name: load
                cidr: 198.18.8.0/22
                leaseTime: 3600s
                relays: [198.18.0.2]
                pools: ["198.18.8.10-198.18.11.250"]
            """;

    @Test
    void everyAckedLeaseSurvivesKillDashNine(@TempDir Path dir) {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            Netns gen = lab.staticHost("gen", 0, "198.18.0.2/24");
            lab.startServer(CONFIG);
            Map<String, String> ackedIpToMac = new HashMap<>();
            int totalAcks = 0;
            for (int round = 0; round < ROUNDS; round++) {
                if (round > 0) {
                    lab.restartServer();
                }
                NetnsProcess load = gen.startJava(RelayLoadMain.class, "198.18.0.2", "198.18.0.1",
                        "" + MACS_PER_ROUND, "" + round, "16", "40");
                load.awaitLine("READY"::equals, Duration.ofSeconds(30));
                // A random moment: after some ACKs, never after the last one.
                int killAfter = 20 + random.nextInt(MACS_PER_ROUND / 2);
                load.awaitLine(new CountingLines(killAfter), Duration.ofSeconds(60));
                lab.killServer();
                load.close();

                List<String[]> acks = load.lines().stream().filter(l -> l.startsWith("ACK ")).map(l -> l.split(" ")).toList();
                assertThat(acks).as("seed " + seed).hasSizeGreaterThanOrEqualTo(killAfter);
                for (String[] ack : acks) {
                    String earlier = ackedIpToMac.putIfAbsent(ack[1], ack[2]);
                    assertThat(earlier).as("seed %d: %s ACKed to %s and to %s", seed, ack[1], earlier, ack[2])
                            .isIn(null, ack[2]);
                }
                totalAcks += acks.size();
            }

            lab.restartServer();
            Map<String, Map<String, Object>> leases = lab.leases("load").stream()
                    .collect(Collectors.toMap(l -> (String) l.get("ip"), l -> l));
            for (var acked : ackedIpToMac.entrySet()) {
                assertThat(leases.get(acked.getKey())).as("seed %d: lease of ACKed %s", seed, acked.getKey())
                        .isNotNull().containsEntry("mac", acked.getValue()).containsEntry("state", "bound");
            }
            assertThat(totalAcks).isGreaterThanOrEqualTo(ROUNDS * 20);
        }
    }

    /** Matches the n-th ACK line. */
    private static final class CountingLines implements java.util.function.Predicate<String> {
        private final int n;
        private int seen;

        CountingLines(int n) {
            this.n = n;
        }

        @Override
        public boolean test(String line) {
            return line.startsWith("ACK ") && ++seen >= n;
        }
    }
}
