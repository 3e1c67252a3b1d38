package dev.vmaddr.serve.multi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real {@code vmaddr serve} processes (child JVMs, API on loopback, no DHCP) on one PostgreSQL
 * database, both seeded with one network of 40 pool addresses. 120 clients allocate at once, half
 * through each server: every address goes to one client at most (across both servers' 201 answers
 * and in SQL), the surplus is refused with 409, a network made through one server is served by the
 * other without a restart, and a client re-allocating on the other server keeps its address.
 */
@ExtendWith(PostgresExtension.class)
class TwoServersPostgresApiTest {
    static final String NETWORK = """
            networks:
              - name: shared
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                leaseTime: 1h
                pools: ["198.18.0.100-198.18.0.139"]
            """;
    private static final int POOL = 40;
    private static final int PER_SERVER = 60;
    private static final Duration START = Duration.ofSeconds(120);

    @Test
    void twoServersShareOnePoolThroughTheirApis(PostgresDatabase db, @TempDir Path dir) throws Exception {
        ServerFiles files = new ServerFiles(dir, db);
        try (VmaddrProcess a = VmaddrProcess.start(files.config("a", db.url(), db.user(), "127.0.0.1:0", NETWORK),
                files.log("a"), List.of(), START);
             VmaddrProcess b = VmaddrProcess.start(files.config("b", db.url(), db.user(), "127.0.0.1:0", NETWORK),
                     files.log("b"), List.of(), START)) {
            Api apiA = Api.of(a.apiUrl(), files.token());
            Api apiB = Api.of(b.apiUrl(), files.token());

            // 1. concurrent allocation through both APIs
            Map<String, String> grantedIpToMac = new ConcurrentHashMap<>();
            Map<String, String> grantedMacToIp = new ConcurrentHashMap<>();
            List<String> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
            List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger refused = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < 2 * PER_SERVER; i++) {
                    Api api = i % 2 == 0 ? apiA : apiB;
                    String mac = String.format("02:18:00:00:%02x:%02x", i >> 8, i & 0xff);
                    done.add(pool.submit(() -> {
                        Api.Answer r = api.allocate("shared", mac);
                        if (r.status() == 201) {
                            String ip = r.body().path("ip").asText();
                            String before = grantedIpToMac.putIfAbsent(ip, mac);
                            if (before != null) {
                                duplicates.add(ip + " to " + before + " and " + mac);
                            }
                            grantedMacToIp.put(mac, ip);
                        } else if (r.status() == 409) {
                            refused.incrementAndGet();
                        } else {
                            unexpected.add(r.status() + " " + r.text());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(180, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(unexpected).isEmpty();
            assertThat(duplicates).isEmpty();
            assertThat(grantedIpToMac).hasSize(POOL);
            assertThat(refused).hasValue(2 * PER_SERVER - POOL);
            assertThat(leasesInSql(db)).isEqualTo(invert(grantedMacToIp));
            assertThat(duplicatesInSql(db)).isZero();

            // 2. a network made through A is served by B without a restart
            Api.Answer made = apiA.call("POST", "/api/v1/networks",
                    "{\"name\":\"late\",\"cidr\":\"198.18.1.0/24\",\"gateway\":\"198.18.1.1\",\"pools\":[\"198.18.1.10-198.18.1.19\"]}");
            assertThat(made.status()).as(made.text()).isEqualTo(201);
            Api.Answer onB = pollUntil(() -> apiB.allocate("late", "02:18:00:01:00:01"), r -> r.status() == 201,
                    Duration.ofSeconds(30));
            assertThat(onB.body().path("ip").asText()).startsWith("198.18.1.1");
            assertThat(apiB.call("GET", "/api/v1/networks/late", null).status()).isEqualTo(200);

            // 3. a client re-allocating on the other server keeps its address
            int renewed = 0;
            for (Map.Entry<String, String> e : grantedMacToIp.entrySet()) {
                int index = Integer.parseInt(e.getKey().substring(12, 14) + e.getKey().substring(15), 16);
                Api other = index % 2 == 0 ? apiB : apiA; // it was allocated through the other one
                Api.Answer again = other.allocate("shared", e.getKey());
                assertThat(again.status()).as(again.text()).isEqualTo(201);
                assertThat(again.body().path("ip").asText()).as("address of %s after renewing on the other server", e.getKey())
                        .isEqualTo(e.getValue());
                renewed++;
            }
            assertThat(renewed).isEqualTo(POOL);
            assertThat(leasesInSql(db)).isEqualTo(invert(grantedMacToIp));
            assertThat(a.isAlive()).isTrue();
            assertThat(b.isAlive()).isTrue();
        }
    }

    static Map<String, String> invert(Map<String, String> macToIp) {
        Map<String, String> out = new HashMap<>();
        macToIp.forEach((mac, ip) -> out.put(ip, mac));
        return out;
    }

    /** ip → mac of the network's occupying (bound, unexpired) leases, as the database has them. */
    static Map<String, String> leasesInSql(PostgresDatabase db) throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT host(ip), mac::text FROM leases WHERE network = 'shared'"
                     + " AND state = 'bound' AND expires_at > now()")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }

    /** Addresses held twice plus clients holding two bound addresses: both must be zero. */
    static long duplicatesInSql(PostgresDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            long n = 0;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT network, ip FROM leases GROUP BY 1, 2"
                    + " HAVING count(*) > 1) d")) {
                rs.next();
                n += rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT network, mac FROM leases WHERE state = 'bound'"
                    + " AND expires_at > now() GROUP BY 1, 2 HAVING count(*) > 1) d")) {
                rs.next();
                n += rs.getLong(1);
            }
            return n;
        }
    }

    interface Call {
        Api.Answer run() throws Exception;
    }

    static Api.Answer pollUntil(Call call, java.util.function.Predicate<Api.Answer> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Api.Answer last;
        do {
            last = call.run();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not done within " + timeout + "; last answer " + last.status() + " " + last.text());
    }
}
