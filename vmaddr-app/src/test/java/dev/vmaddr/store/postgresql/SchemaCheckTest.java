package dev.vmaddr.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/** {@link SchemaCheck}: Flyway is skipped only when the database holds this build's newest migration and no failure. */
@ExtendWith(PostgresExtension.class)
class SchemaCheckTest {
    private final PostgresDatabase db;

    SchemaCheckTest(PostgresDatabase db) {
        this.db = db;
    }

    @Test
    void theNewestMigrationIsTheHighestFileOnTheClasspath() throws IOException, URISyntaxException {
        Path dir = Path.of(SchemaCheck.class.getClassLoader().getResource(SchemaCheck.LOCATION).toURI());
        int highest;
        try (Stream<Path> files = Files.list(dir)) {
            highest = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        }
        assertThat(SchemaCheck.newestMigration()).hasValue(highest);
    }

    @Test
    void currentOnlyWhenEveryMigrationIsAppliedAndNoneFailed() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(db.url());
        ds.setUser(db.user());
        ds.setPassword(db.password());
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA check_empty");
            PGSimpleDataSource empty = new PGSimpleDataSource();
            empty.setUrl(db.url() + (db.url().contains("?") ? "&" : "?") + "currentSchema=check_empty");
            empty.setUser(db.user());
            empty.setPassword(db.password());
            assertThat(SchemaCheck.current(empty)).as("no history table").isFalse();

            PostgresStore.migrate(ds);
            assertThat(SchemaCheck.current(ds)).as("migrated").isTrue();

            int newest = SchemaCheck.newestMigration().orElseThrow();
            s.execute("UPDATE flyway_schema_history SET success = false WHERE version = '" + newest + "'");
            assertThat(SchemaCheck.current(ds)).as("a failed migration").isFalse();
            s.execute("UPDATE flyway_schema_history SET success = true WHERE version = '" + newest + "'");
            s.execute("UPDATE flyway_schema_history SET version = '" + (newest - 1) + ".5' WHERE version = '" + newest + "'");
            assertThat(SchemaCheck.current(ds)).as("the newest migration not applied").isFalse();
            s.execute("UPDATE flyway_schema_history SET version = '" + newest + "' WHERE version = '" + (newest - 1) + ".5'");
            assertThat(SchemaCheck.current(ds)).isTrue();
        }
    }
}
