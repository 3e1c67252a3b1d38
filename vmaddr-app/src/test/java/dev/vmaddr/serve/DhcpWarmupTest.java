package dev.vmaddr.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.dhcp.transport.InMemoryTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHCP warm-up drives the real request path on its own state: every request it sends is
 * answered, and the server it runs beside keeps no trace of it (no lease, no network, no packet on
 * its transport, no DHCP counter), nor does the file system (its store's directory is deleted).
 */
class DhcpWarmupTest {
    /**
     * Per client: DISCOVER twice (the second a retransmission) and REQUEST new, DISCOVER+REQUEST again
     * in a burst, INIT-REBOOT+REBINDING, DISCOVER+REQUEST again: every one answered, so the pool sized
     * to fill 8/9 ({@link DhcpWarmup#poolEnd}) had an address for every client.
     */
    private static final int REPLIES_PER_CLIENT = 9;

    /** Three private stacks, the two fresh ones with a quarter of the first's clients each. */
    private static long replies(int clients) {
        return REPLIES_PER_CLIENT * (clients + 2L * (clients / 4));
    }

    @Test
    void aboutHalfOfTheScratchSearchesWrapAround() {
        // what the search profile is for: the branch that ends a search at the bitmap's end, taken often
        assertThat(DhcpWarmup.wrappingSearches()).isBetween(DhcpWarmup.WRAP_SEARCHES * 2 / 5, DhcpWarmup.WRAP_SEARCHES * 3 / 5);
    }

    @Test
    void everyRequestIsAnsweredAndItsDirectoryIsDeleted() throws Exception {
        Set<Path> before = warmupDirs();
        DhcpWarmup warmup = new DhcpWarmup(500, Clock.systemUTC());
        assertThat(warmup.run()).isEqualTo(replies(500));
        assertThat(warmupDirs()).isSubsetOf(before);
        // as root (CI, a server on port 67) the fresh stacks ran over the socket transport on loopback
        assertThat(warmup.ranOverLoopback()).isEqualTo("root".equals(System.getProperty("user.name")));
    }

    @Test
    void theServerItRunsBesideKeepsNoTraceOfIt(@TempDir Path dir) throws Exception {
        InMemoryTransport real = new InMemoryTransport();
        try (Server server = new Server(config(dir), Clock.systemUTC(), new SecureRandom(), List.of())
                .dhcpTransport(real).dhcpWarmup(true).start()) {
            DhcpWarmup warmup = server.warmup().orElseThrow();
            assertThat(warmup.finished().get(120, TimeUnit.SECONDS)).isEqualTo(replies(DhcpWarmup.CLIENTS));
            assertThat(server.engine().leases("lan", null, 10, l -> true)).isEmpty();
            assertThat(server.engine().networks()).extracting(n -> n.name()).containsExactly("lan");
            assertThat(real.pollSent()).isNull();
            assertThat(server.metrics().registry().find("vmaddr_dhcp_received").counters())
                    .allSatisfy(c -> assertThat(c.count()).isZero());
        }
    }

    @Test
    void stoppingTheServerStopsAWarmupUnderWay(@TempDir Path dir) throws Exception {
        Set<Path> before = warmupDirs();
        DhcpWarmup warmup;
        try (Server server = new Server(config(dir), Clock.systemUTC(), new SecureRandom(), List.of())
                .dhcpTransport(new InMemoryTransport()).dhcpWarmup(true).start()) {
            warmup = server.warmup().orElseThrow();
        }
        assertThat(warmup.finished()).isDone();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("vmaddr-dhcp-warmup"));
        assertThat(warmupDirs()).isSubsetOf(before);
    }

    private static VmaddrConfig config(Path dir) throws IOException {
        return ConfigLoader.parse("test", """
                dataDir: %s
                api: { listen: 127.0.0.1:0, tokenFile: %s }
                log: { level: warn }
                dhcp:
                  interfaces: [lo]
                  probe: { method: none }
                networks:
                  - name: lan
                    cidr: 198.18.0.0/24
                    gateway: 198.18.0.1
                    pools: ["198.18.0.10-198.18.0.250"]
                """.formatted(dir.resolve("data"), dir.resolve("token")));
    }

    private static Set<Path> warmupDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmaddr-dhcp-warmup-")).collect(Collectors.toSet());
        }
    }
}
