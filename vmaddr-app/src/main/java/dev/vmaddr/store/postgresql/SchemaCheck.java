package dev.vmaddr.store.postgresql;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Whether the database already holds every migration this build carries, so that a server restarting
 * on an up-to-date schema does not run Flyway (0.3-0.7 s of every start on a small machine: its
 * classes, the scan of the jar, the advisory lock and the validation; issue 24's restart bar).
 *
 * <p>Safe by construction: the newest migration is read from the classpath at run time (never a
 * constant that a new migration could leave behind), compared with what {@code flyway_schema_history}
 * records as applied; any doubt (no table, a failed migration, an unreadable classpath, a database
 * error) answers "not current", and Flyway then runs exactly as before, under its advisory lock. A
 * server that skips Flyway validates nothing: an edited, already applied migration is noticed by the
 * next server that migrates (migrations are never edited, only added).
 */
final class SchemaCheck {
    static final String LOCATION = "db/migration";
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.*\\.sql");
    /**
     * Compared in SQL, the answer one boolean: reading the version as a number would be a BigDecimal,
     * and that class's first use computes its tables of powers (with a fork-join pool and the JIT
     * compiling BigInteger's arithmetic) in the middle of every start.
     */
    private static final String APPLIED = "SELECT coalesce(max(version::numeric) = ? AND bool_and(success), false)"
            + " FROM flyway_schema_history";

    private SchemaCheck() {}

    /** True when the database records the newest migration on the classpath as applied, and no failure. */
    static boolean current(DataSource ds) {
        OptionalInt newest = newestMigration();
        if (newest.isEmpty()) {
            return false;
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(APPLIED)) {
            ps.setInt(1, newest.getAsInt());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            return false; // no history yet (a new database), or anything odd: Flyway decides
        }
    }

    /** The highest {@code V<n>__*.sql} under {@link #LOCATION}, in the jar or a classes directory. */
    static OptionalInt newestMigration() {
        URL dir = SchemaCheck.class.getClassLoader().getResource(LOCATION);
        if (dir == null) {
            return OptionalInt.empty();
        }
        try {
            Stream<String> names = switch (dir.getProtocol()) {
                case "jar" -> {
                    JarURLConnection jar = (JarURLConnection) dir.openConnection();
                    yield jar.getJarFile().stream().map(e -> e.getName())
                            .filter(n -> n.startsWith(LOCATION + "/")).map(n -> n.substring(LOCATION.length() + 1));
                }
                case "file" -> {
                    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
                        yield files.map(p -> p.getFileName().toString()).toList().stream();
                    }
                }
                default -> Stream.empty();
            };
            return names.map(VERSIONED::matcher).filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1))).max();
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
