package dev.vmaddr.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * kill -9 of a server writing leases the DHCP receiver's way (deferred, ACK from the commit
 * callback): every lease acknowledged before the kill is in the database, with its holder. Several
 * rounds, each killed after a random number of acknowledgements and a random moment more.
 */
@ExtendWith(PostgresExtension.class)
class PostgresDeferredCrashTest {
    private static final int ROUNDS = 4;

    @Test
    void nothingAcknowledgedIsLostOnKill9(PostgresDatabase db) throws Exception {
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        for (int round = 1; round <= ROUNDS; round++) {
            List<String> lines = new ArrayList<>();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), PgDeferredCrashWriter.class.getName(),
                    db.url(), db.user(), db.password(), Integer.toString(round))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Thread reader = Thread.ofPlatform().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the pipe closes when the child dies
                }
            });
            int target = 200 + random.nextInt(5000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (acks(lines).size() < target && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            Thread.sleep(random.nextInt(50));
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(30_000);

            List<String[]> acked = acks(lines);
            assertThat(acked).as("acknowledgements in round %d (seed %d)", round, seed).isNotEmpty();
            Map<String, String> stored = leases(db);
            for (String[] ack : acked) {
                assertThat(stored.get(ack[1])).as("acknowledged lease %s in round %d (seed %d)", ack[1], round, seed)
                        .isEqualTo(ack[2]);
            }
            System.out.printf("round %d: %d acknowledged before kill -9, all in the database (%d rows)%n", round,
                    acked.size(), stored.size());
        }
    }

    private static List<String[]> acks(List<String> lines) {
        List<String[]> out = new ArrayList<>();
        synchronized (lines) {
            for (String l : lines) {
                if (l.startsWith("ACK ")) {
                    out.add(l.split(" "));
                }
            }
        }
        return out;
    }

    private static Map<String, String> leases(PostgresDatabase db) throws Exception {
        Map<String, String> byIp = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT host(ip), mac::text FROM leases WHERE network = '"
                     + PgDeferredCrashWriter.NETWORK + "'")) {
            while (rs.next()) {
                byIp.put(rs.getString(1), rs.getString(2));
            }
        }
        return byIp;
    }
}
