package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of a process that is writing leases, at random moments, five times: every lease
 * it printed as acknowledged is there after recovery, and no shared address ever had two holders.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void everyAcknowledgedLeaseSurvivesKillMinus9() throws Exception {
        Random random = new Random(42);
        Map<Ipv4Address, Set<MacAddress>> sharedWinners = new HashMap<>();
        long totalAcks = 0;
        for (int round = 1; round <= 5; round++) {
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                    dir.toString(), Integer.toString(round), "8")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Thread reader = Thread.ofPlatform().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (java.io.IOException ignored) {
                    // the pipe closes when the child dies
                }
            });
            // Kill at a random moment once it is writing: after a random number of acknowledgements.
            int target = 50 + random.nextInt(3000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (countAcks(lines) < target && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(random.nextInt(50));
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(30_000);

            List<String> acks;
            synchronized (lines) {
                acks = new ArrayList<>(lines);
            }
            assertThat(acks).as("child output in round %d", round).contains("READY");
            try (EmbeddedStore s = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
                for (String line : acks) {
                    String[] f = line.split(" ");
                    if (f[0].equals("ACK-OWN")) {
                        totalAcks++;
                        assertThat(s.leases().get("lan", Ipv4Address.parse(f[1]))).as("acknowledged %s in round %d", line, round)
                                .get().extracting(Lease::mac).isEqualTo(MacAddress.parse(f[2]));
                    } else if (f[0].equals("ACK-SHARED")) {
                        sharedWinners.computeIfAbsent(Ipv4Address.parse(f[1]), k -> new HashSet<>()).add(MacAddress.parse(f[2]));
                    }
                }
                for (Map.Entry<Ipv4Address, Set<MacAddress>> e : sharedWinners.entrySet()) {
                    assertThat(e.getValue()).as("holders ever granted %s", e.getKey()).hasSize(1);
                    assertThat(s.leases().get("shared", e.getKey())).get().extracting(Lease::mac)
                            .isEqualTo(e.getValue().iterator().next());
                }
            }
        }
        assertThat(totalAcks).isPositive();
    }

    private static int countAcks(List<String> lines) {
        return lines.size();
    }
}
