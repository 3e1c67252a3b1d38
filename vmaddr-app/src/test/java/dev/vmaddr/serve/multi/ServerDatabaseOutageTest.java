package dev.vmaddr.serve.multi;

import static dev.vmaddr.serve.multi.TwoServersPostgresApiTest.pollUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.postgres.PostgresCluster;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code vmaddr serve} on its own PostgreSQL server, which is stopped and started again:
 * while it is down {@code /readyz} says 503, allocations are refused with a 5xx problem (no grant
 * that was not stored), the log says {@code event=store.db.unreachable}; once it is back the server
 * recovers by itself (log {@code event=store.db.recovered}, ready, allocations granted), and what was
 * granted before the outage is still there.
 */
class ServerDatabaseOutageTest {
    @Test
    void serverSaysNotReadyWhileTheDatabaseIsDownAndRecoversByItself(@TempDir Path dir) throws Exception {
        try (PostgresCluster cluster = PostgresCluster.create()) {
            PostgresDatabase db = new PostgresDatabase(cluster, cluster.createDatabase("outage"), cluster.user(),
                    cluster.password());
            ServerFiles files = new ServerFiles(dir, db);
            try (VmaddrProcess server = VmaddrProcess.start(
                    files.config("a", db.url(), db.user(), "127.0.0.1:0", TwoServersPostgresApiTest.NETWORK),
                    files.log("a"), List.of(), Duration.ofSeconds(120))) {
                Api api = Api.of(server.apiUrl(), files.token());
                pollUntil(() -> new Api.Answer(api.readyz(), null, ""), r -> r.status() == 200, Duration.ofSeconds(30));
                Api.Answer before = api.allocate("shared", "02:18:00:00:00:01");
                assertThat(before.status()).as(before.text()).isEqualTo(201);

                cluster.stop();
                Api.Answer refused = api.allocate("shared", "02:18:00:00:00:02");
                assertThat(refused.status()).as(refused.text()).isEqualTo(503);
                assertThat(refused.text()).contains("cannot store");
                pollUntil(() -> new Api.Answer(api.readyz(), null, ""), r -> r.status() == 503, Duration.ofSeconds(30));
                server.awaitLog(Pattern.compile("event=store\\.db\\.unreachable"), Duration.ofSeconds(10));
                Api.Answer stillRefused = api.allocate("shared", "02:18:00:00:00:03");
                assertThat(stillRefused.status()).as(stillRefused.text()).isEqualTo(503);

                cluster.start();
                pollUntil(() -> new Api.Answer(api.readyz(), null, ""), r -> r.status() == 200, Duration.ofSeconds(60));
                server.awaitLog(Pattern.compile("event=store\\.db\\.recovered"), Duration.ofSeconds(10));
                Api.Answer after = pollUntil(() -> api.allocate("shared", "02:18:00:00:00:02"), r -> r.status() == 201,
                        Duration.ofSeconds(30));
                assertThat(after.body().path("ip").asText()).isNotEqualTo(before.body().path("ip").asText());
                Api.Answer renewed = api.allocate("shared", "02:18:00:00:00:01");
                assertThat(renewed.body().path("ip").asText()).isEqualTo(before.body().path("ip").asText());
                // no lease was stored for the clients that were refused during the outage
                assertThat(TwoServersPostgresApiTest.leasesInSql(db)).hasSize(2)
                        .doesNotContainValue("02:18:00:00:00:03");
            }
        }
    }
}
