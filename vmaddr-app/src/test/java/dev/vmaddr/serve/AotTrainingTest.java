package dev.vmaddr.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT training drives the real server: every request kind it sends gets the reply RFC 2131
 * gives it (so the profiles it leaves are those of served traffic, not of errors), and the stamp
 * is what {@code ./vmaddr} compares.
 */
class AotTrainingTest {

    @Test
    void smallTrainingRunIsAnsweredThroughTheRealServer(@TempDir Path dir) throws Exception {
        int clients = 300;
        AotTraining.Trained trained = AotTraining.run(dir.resolve("work"), clients, 1);
        TrainingClients c = trained.v4();
        // Per round: DORA of new clients (2 replies each), again in a burst (2), INIT-REBOOT,
        // rebinding and INFORM (3), INIT-REBOOT for another's address (1, a NAK), 128 DISCOVERs
        // after a tenth released, then DORA again (2) twice; released/declined clients send no
        // request until their next DISCOVER. Each client is answered at least 9 times.
        assertThat(c.replies()).isGreaterThanOrEqualTo(9L * clients);
        assertThat(c.naks()).isGreaterThan(0);
        // DHCPv6, clients / 2 of them: ADVERTISE, REPLY and the RENEW's REPLY each; a tenth's RELEASE
        // answered and their return (2 more); 500 relayed rapid commits; RENEWs after the restart.
        int clients6 = clients / 2;
        assertThat(trained.dhcp6Answers()).isEqualTo(3L * clients6 + 3L * clients6 / 10 + 500 + clients6);
        // the API: every request but the one for a network that does not exist (404)
        assertThat(trained.apiAnswers()).isEqualTo(8);
        // the restart recovered from a snapshot taken after the first round, and a log after it
        try (var files = Files.list(dir.resolve("work/data"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .anyMatch(n -> n.matches("snapshot-\\d{20}\\.snap")).anyMatch(n -> n.endsWith(".wal"));
        }
    }

    @Test
    void stampNamesJarSizeModificationSecondAndJdk(@TempDir Path dir) throws Exception {
        Path jar = Files.write(dir.resolve("x-all.jar"), new byte[1234]);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.ofEpochSecond(1_796_589_578L, 900_000_000)));
        assertThat(AotTraining.stampOf(jar, "25.0.3+9-LTS")).isEqualTo("jar=1234:1796589578 jdk=25.0.3+9-LTS");
    }
}
