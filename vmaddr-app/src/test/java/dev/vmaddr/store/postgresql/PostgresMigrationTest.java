package dev.vmaddr.store.postgresql;

import static dev.vmaddr.store.postgresql.Leases.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Several servers starting at once on one empty database: the schema is created once, all open. */
@ExtendWith(PostgresExtension.class)
class PostgresMigrationTest {
    private static final int SERVERS = 6;

    @Test
    void serversMigratingAtOnceAllStartAndTheSchemaIsAppliedOnce(PostgresDatabase db) throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(SERVERS);
        List<PostgresStore> stores = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<PostgresStore>> opened = new ArrayList<>();
            for (int i = 0; i < SERVERS; i++) {
                opened.add(starters.submit(() -> {
                    go.await();
                    return PostgresStore.open(db.url(), db.user(), db.password(), Clock.fixed(T0, ZoneOffset.UTC),
                            PostgresStore.Options.defaults());
                }));
            }
            go.countDown();
            for (Future<PostgresStore> f : opened) {
                stores.add(f.get(120, TimeUnit.SECONDS));
            }
            assertThat(stores).allMatch(PostgresStore::writable);
        } finally {
            stores.forEach(PostgresStore::close);
            starters.shutdownNow();
        }
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, count(*), bool_and(success) FROM flyway_schema_history "
                     + "WHERE version IS NOT NULL GROUP BY version ORDER BY version")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                assertThat(rs.getLong(2)).as("times version %s was applied", rs.getString(1)).isEqualTo(1);
                assertThat(rs.getBoolean(3)).isTrue();
                rows.add(rs.getString(1));
            }
            assertThat(rows).startsWith("1");
        }
    }
}
