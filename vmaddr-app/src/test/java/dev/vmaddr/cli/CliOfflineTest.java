package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.api.Json;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.serve.Server;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PRODUCT.md: with --config and no server answering, a client command reads the store directly, read-only. */
class CliOfflineTest {
    @TempDir
    Path dir;

    @Test
    void leaseListReadsTheStoreWhenNoServerAnswersAndChangesNothing() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        Path cfg = dir.resolve("vmaddr.yaml");
        Files.writeString(cfg, """
                dataDir: %s
                api: { listen: 127.0.0.1:%d }
                networks:
                  - name: off1
                    cidr: 198.18.40.0/24
                    gateway: 198.18.40.1
                    pools: ["198.18.40.10-198.18.40.20"]
                """.formatted(data, port));
        Server server = new Server(ConfigLoader.load(cfg), Clock.systemUTC(), new SecureRandom(), List.of()).start();
        for (int i = 1; i <= 3; i++) {
            server.engine().allocate("off1", AllocationRequest.of(new MacAddress(0x021840000000L + i)));
        }
        server.close();
        Map<String, String> before = files(data);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"lease", "list", "--config", cfg.toString(), "--output", "json"},
                new PrintWriter(out), new PrintWriter(err));

        assertThat(exit).as(err.toString()).isZero();
        JsonNode leases = Json.MAPPER.readTree(out.toString());
        assertThat(leases).hasSize(3);
        assertThat(leases).allSatisfy(l -> {
            assertThat(l.path("network").asText()).isEqualTo("off1");
            assertThat(l.path("state").asText()).isEqualTo("bound");
            assertThat(l.path("mac").asText()).startsWith("02:18:40:00:00:0");
            assertThat(l.path("expiresAt").asText()).endsWith("Z");
        });
        assertThat(files(data)).as("the data directory is only read").isEqualTo(before);

        StringWriter badOut = new StringWriter();
        assertThat(Main.run(new String[] {"lease", "list", "--config", cfg.toString(), "--state", "gone"},
                new PrintWriter(badOut), new PrintWriter(new StringWriter()))).isEqualTo(2);
    }

    /** Name → size and modification time of every file: what "changed nothing" is checked against. */
    private static Map<String, String> files(Path data) throws Exception {
        Map<String, String> seen = new TreeMap<>();
        try (Stream<Path> all = Files.list(data)) {
            for (Path p : all.toList()) {
                seen.put(p.getFileName().toString(), Files.size(p) + " bytes, " + Files.getLastModifiedTime(p));
            }
        }
        return seen;
    }
}
