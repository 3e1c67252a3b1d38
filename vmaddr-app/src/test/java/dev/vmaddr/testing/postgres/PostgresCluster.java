package dev.vmaddr.testing.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real, throw-away PostgreSQL server from Debian's {@code postgresql} package: {@code initdb} into a
 * temporary directory as user {@code postgres}, then {@code postgres} on 127.0.0.1 and a free port, with
 * its Unix socket in the same directory and {@code fsync=on} (durability is what the store tests prove).
 *
 * <p>The superuser {@code postgres} and the application role {@code vmaddr} both log in over TCP with a
 * password (scram-sha-256), as a user's own server would ask. {@link #createDatabase} gives each test
 * class a fresh database owned by {@code vmaddr}. {@link #stop}/{@link #crash} and {@link #start} stop
 * and restart the server on the same port and data directory, for connection-loss tests.
 * {@link #close} stops it and deletes the directory; a JVM shutdown hook does the same for clusters a
 * test forgot to close.
 *
 * <p>Not thread-safe for start/stop; {@link #createDatabase} may be called from any thread.
 */
public final class PostgresCluster implements AutoCloseable {
    public static final String APP_USER = "vmaddr";
    private static final String BIN_ENV = "VMADDR_PG_BIN";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final List<PostgresCluster> OPEN = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<PostgresCluster> left;
            synchronized (OPEN) {
                left = new ArrayList<>(OPEN);
            }
            left.forEach(PostgresCluster::close);
        }, "pg-cluster-cleanup"));
    }

    private final Path baseDir;
    private final Path dataDir;
    private final Path socketDir;
    private final Path logFile;
    private final Path bin;
    private final int port;
    private final String superPassword;
    private final String appPassword;
    private Process server;
    private boolean closed;

    private PostgresCluster(Path baseDir, Path bin, int port, String superPassword, String appPassword) {
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.socketDir = baseDir.resolve("socket");
        this.logFile = baseDir.resolve("postgres.log");
        this.bin = bin;
        this.port = port;
        this.superPassword = superPassword;
        this.appPassword = appPassword;
    }

    /** Creates a cluster in a new temporary directory, starts it and creates the {@code vmaddr} role. */
    public static PostgresCluster create() {
        Path bin = findBinaries();
        SecureRandom random = new SecureRandom();
        PostgresCluster cluster;
        try {
            Path base = Files.createTempDirectory("vmaddr-pg-");
            cluster = new PostgresCluster(base, bin, freePort(), randomHex(random), randomHex(random));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for PostgreSQL", e);
        }
        synchronized (OPEN) {
            OPEN.add(cluster);
        }
        try {
            cluster.initdb();
            cluster.start();
            cluster.admin("CREATE ROLE " + APP_USER + " LOGIN PASSWORD '" + cluster.appPassword + "'");
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** A new empty database owned by {@code vmaddr}; returns its JDBC URL. */
    public String createDatabase(String prefix) {
        String name = (prefix.replaceAll("[^A-Za-z0-9]", "_") + "_" + DATABASES.incrementAndGet())
                .toLowerCase(java.util.Locale.ROOT);
        if (name.length() > 60) {
            name = name.substring(name.length() - 60);
        }
        admin("CREATE DATABASE \"" + name + "\" OWNER " + APP_USER);
        return jdbcUrl(name);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return APP_USER;
    }

    public String password() {
        return appPassword;
    }

    public int port() {
        return port;
    }

    /**
     * The server's Unix socket. Being a file, it is reachable from every network namespace, unlike
     * 127.0.0.1; local logins trust the OS user, so any role logs in there without a password.
     */
    public Path socketFile() {
        return socketDir.resolve(".s.PGSQL." + port);
    }

    public Path logFile() {
        return logFile;
    }

    /** Runs one statement as the superuser, in database {@code postgres}. */
    public void admin(String sql) {
        try (Connection c = superuserConnection("postgres"); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + sql + ": " + e.getMessage(), e);
        }
    }

    public Connection superuserConnection(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", superPassword);
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    public synchronized boolean running() {
        return server != null && server.isAlive();
    }

    /** Starts the server (again) on the same port and data directory; returns once it accepts logins. */
    public synchronized void start() {
        if (running()) {
            return;
        }
        List<String> cmd = asPostgres(bin.resolve("postgres").toString(), "-D", dataDir.toString(),
                "-k", socketDir.toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "synchronous_commit=on",
                "-c", "max_connections=200", "-c", "shared_buffers=64MB", "-c", "logging_collector=off");
        try {
            server = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start postgres: " + cmd, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("postgres exited with " + server.exitValue() + "; log:\n" + logTail());
            }
            try (Connection c = superuserConnection("postgres")) {
                return;
            } catch (SQLException e) {
                last = e; // starting up, or not listening yet
            }
            sleep(50);
        }
        throw new IllegalStateException("postgres did not accept connections within " + START_TIMEOUT
                + " (" + (last == null ? "" : last.getMessage()) + "); log:\n" + logTail());
    }

    /** Fast shutdown (SIGINT): aborts open transactions, checkpoints, exits. */
    public synchronized void stop() {
        signalAndWait("INT");
    }

    /** Immediate shutdown (SIGQUIT): no checkpoint, crash recovery on the next start, like a power cut of the server process. */
    public synchronized void crash() {
        signalAndWait("QUIT");
    }

    /** Stops the server and deletes its directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            signalAndWait("INT");
        } finally {
            deleteTree(baseDir);
            synchronized (OPEN) {
                OPEN.remove(this);
            }
        }
    }

    private void signalAndWait(String signal) {
        if (!running()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-s", signal, Long.toString(server.pid())).inheritIO().start().waitFor();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                new ProcessBuilder("kill", "-s", "QUIT", Long.toString(server.pid())).inheritIO().start().waitFor();
                if (!server.waitFor(10, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot signal postgres", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.destroyForcibly();
        }
    }

    private void initdb() {
        try {
            Files.createDirectories(socketDir);
            Path pwFile = baseDir.resolve("pwfile");
            Files.writeString(pwFile, superPassword + "\n");
            run(List.of("chown", "-R", "postgres:postgres", baseDir.toString()));
            run(asPostgres(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", "postgres",
                    "--pwfile=" + pwFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                    "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"));
            Files.delete(pwFile);
        } catch (IOException e) {
            throw new UncheckedIOException("initdb failed", e);
        }
    }

    private List<String> asPostgres(String... command) {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            cmd.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        }
        cmd.addAll(List.of(command));
        return cmd;
    }

    private void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + cmd, e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static Path findBinaries() {
        String env = System.getenv(BIN_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(PostgresCluster::majorVersion))
                    .orElseThrow(PostgresCluster::notInstalled);
        } catch (IOException e) {
            throw notInstalled();
        }
    }

    private static int majorVersion(Path binDir) {
        try {
            return Integer.parseInt(binDir.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static IllegalStateException notInstalled() {
        return new IllegalStateException("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                + "(apt-get install postgresql, or run scripts/install-test-deps; or set " + BIN_ENV + ")");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String randomHex(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for postgres", e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover temp file must not fail a test
                }
            });
        } catch (IOException e) {
            // same
        }
    }
}
