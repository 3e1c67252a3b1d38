package dev.vmaddr.serve.multi;

import dev.vmaddr.testing.postgres.PostgresDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Config files for several {@code vmaddr serve} processes on one PostgreSQL database, in one
 * directory: a shared password file and a shared API token (so one client can talk to every server).
 */
public final class ServerFiles {
    private final Path dir;
    private final String token;

    public ServerFiles(Path dir, PostgresDatabase db) throws IOException {
        this.dir = dir;
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        this.token = HexFormat.of().formatHex(b);
        var ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        Files.writeString(Files.createFile(dir.resolve("pg-password"), ownerOnly), db.password());
        Files.writeString(Files.createFile(dir.resolve("api-token"), ownerOnly), token);
    }

    public String token() {
        return token;
    }

    /**
     * Writes {@code <name>.yaml}: PostgreSQL store at {@code jdbcUrl}, API on {@code apiListen}, then
     * {@code extra} YAML (dhcp:, networks:) verbatim.
     */
    public Path config(String name, String jdbcUrl, String user, String apiListen, String extra) throws IOException {
        return config(name, jdbcUrl, user, apiListen, extra, null);
    }

    /** As above, with {@code postgresql.pollInterval} when {@code pollInterval} is not null (e.g. "1h"). */
    public Path config(String name, String jdbcUrl, String user, String apiListen, String extra, String pollInterval)
            throws IOException {
        Path data = Files.createDirectories(dir.resolve(name + "-data"));
        String yaml = """
                dataDir: %s
                store: postgresql
                postgresql:
                  url: %s
                  user: %s
                  passwordFile: %s%s
                api:
                  listen: %s
                  tokenFile: %s
                log:
                  level: info
                %s""".formatted(data, jdbcUrl, user, dir.resolve("pg-password"),
                pollInterval == null ? "" : "\n  pollInterval: " + pollInterval, apiListen, dir.resolve("api-token"), extra);
        return Files.writeString(dir.resolve(name + ".yaml"), yaml);
    }

    public Path log(String name) {
        return dir.resolve(name + ".log");
    }
}
