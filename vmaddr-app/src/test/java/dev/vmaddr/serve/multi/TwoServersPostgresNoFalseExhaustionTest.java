package dev.vmaddr.serve.multi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 3: two {@code vmaddr serve} on one PostgreSQL, 1,000 API allocations through each
 * at once (64 in flight per server: the machine has two cores) into one /21 pool of 2,033 addresses. Each server's view
 * of the other's allocations is a poll behind; before the fix 1 or 2 of the 2,000 got "409 no free
 * address (802 of 2033 free)". Now none is refused while the pool has room, and the pool's last
 * addresses, asked for one at a time through either server in turn, are all granted before the first
 * 409, which comes only when the database holds a bound lease for every pool address.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TwoServersPostgresNoFalseExhaustionTest {
    static final String NETWORK = """
            networks:
              - name: shared
                cidr: 198.18.0.0/21
                gateway: 198.18.0.1
                leaseTime: 1h
                pools: ["198.18.0.10-198.18.7.250"]
            """;
    private static final int POOL = 2033;
    private static final int PER_SERVER = 1000;
    private static final int IN_FLIGHT_PER_SERVER = 64;
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration ALL_ALLOCATIONS = Duration.ofSeconds(240);

    private static ExecutorService clients(String server) {
        return Executors.newFixedThreadPool(IN_FLIGHT_PER_SERVER,
                Thread.ofPlatform().name("allocate-" + server + "-", 0).daemon(true).factory());
    }

    @Test
    void noRefusalWhileTheSharedPoolHasRoom(PostgresDatabase db, @TempDir Path dir) throws Exception {
        ServerFiles files = new ServerFiles(dir, db);
        try (VmaddrProcess a = VmaddrProcess.start(files.config("a", db.url(), db.user(), "127.0.0.1:0", NETWORK),
                files.log("a"), List.of(), START);
             VmaddrProcess b = VmaddrProcess.start(files.config("b", db.url(), db.user(), "127.0.0.1:0", NETWORK),
                     files.log("b"), List.of(), START)) {
            List<Api> apis = List.of(Api.of(a.apiUrl(), files.token()), Api.of(b.apiUrl(), files.token()));
            Map<String, String> ipToMac = new ConcurrentHashMap<>();
            List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
            List<String> refusedOrFailed = Collections.synchronizedList(new ArrayList<>());
            // One pool of IN_FLIGHT_PER_SERVER platform threads per server (the in-flight bound), not
            // 2,000 virtual threads: on a two-core machine those have two carriers, and a virtual
            // thread waiting for a class another one is initialising (HttpClient's first sends, all
            // at once) pins its carrier; with both pinned nothing runs, not even the wake-up after
            // HttpClient's own timeouts. A run hung so: no request reached either server, then the
            // test waited forever in ExecutorService.close().
            List<ExecutorService> pools = List.of(clients("a"), clients("b"));
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < 2 * PER_SERVER; i++) {
                    int server = i % 2;
                    String mac = String.format("02:18:00:01:%02x:%02x", i >> 8, i & 0xff);
                    done.add(pools.get(server).submit(() -> {
                        Api.Answer r = apis.get(server).allocate("shared", mac);
                        if (r.status() != 201) {
                            refusedOrFailed.add("server " + server + ": " + r.status() + " " + r.text());
                            return null;
                        }
                        String ip = r.body().path("ip").asText();
                        String before = ipToMac.putIfAbsent(ip, mac);
                        if (before != null) {
                            duplicates.add(ip + " to " + before + " and " + mac);
                        }
                        return null;
                    }));
                }
                long deadline = System.nanoTime() + ALL_ALLOCATIONS.toNanos();
                int finished = 0;
                for (Future<?> f : done) {
                    try {
                        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        throw new AssertionError(finished + " of " + done.size() + " allocations answered within "
                                + ALL_ALLOCATIONS + " (" + ipToMac.size() + " granted)", e);
                    }
                    finished++;
                }
            } finally {
                // Bounded: interrupt whatever still runs (HttpClient.send gives up on interrupt), never
                // wait unboundedly as ExecutorService.close() does.
                for (ExecutorService p : pools) {
                    p.shutdownNow();
                }
                for (ExecutorService p : pools) {
                    p.awaitTermination(10, TimeUnit.SECONDS); // daemon threads: a straggler cannot hold the JVM
                }
            }
            assertThat(refusedOrFailed).as("answers other than 201 with %d of %d addresses taken", ipToMac.size(), POOL)
                    .isEmpty();
            assertThat(duplicates).isEmpty();
            assertThat(ipToMac).hasSize(2 * PER_SERVER);
            assertThat(TwoServersPostgresApiTest.leasesInSql(db)).hasSize(2 * PER_SERVER);

            // The last addresses, one request at a time through A, B, A, ...: each server has just
            // missed the other's latest allocation. All are granted; then 409, with the database full.
            int granted = 0;
            for (int i = 0; i < POOL - 2 * PER_SERVER + 6; i++) {
                String mac = String.format("02:18:00:02:%02x:%02x", i >> 8, i & 0xff);
                Api.Answer r = apis.get(i % 2).allocate("shared", mac);
                if (r.status() == 201) {
                    granted++;
                    assertThat(ipToMac.putIfAbsent(r.body().path("ip").asText(), mac)).isNull();
                } else {
                    assertThat(r.status()).as(r.text()).isEqualTo(409);
                    assertThat(TwoServersPostgresApiTest.leasesInSql(db)).as("bound leases when %s refused", i % 2 == 0 ? "A" : "B")
                            .hasSize(POOL);
                }
            }
            assertThat(granted).isEqualTo(POOL - 2 * PER_SERVER);
            assertThat(TwoServersPostgresApiTest.duplicatesInSql(db)).isZero();
            assertThat(a.isAlive()).isTrue();
            assertThat(b.isAlive()).isTrue();
        }
    }
}
