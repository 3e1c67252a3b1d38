package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over real HTTP against a real server with the embedded store. */
class ApiEndToEndTest {
    @TempDir
    Path dir;
    TestServer srv;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    record Answer(int status, String contentType, JsonNode body) {}

    Answer call(HttpClient client, String method, String path, String body, String token) throws Exception {
        HttpAnswer a = HttpAnswer.send(client, srv, method, path, body, null, token);
        return new Answer(a.status(), a.contentType(), a.text().isEmpty() ? null : a.json());
    }

    Answer call(String method, String path, String body) throws Exception {
        return call(http, method, path, body, srv.token);
    }

    void createNetwork(String name, String cidr, String pool) throws Exception {
        Answer a = call("POST", "/api/v1/networks",
                "{\"name\":\"" + name + "\",\"cidr\":\"" + cidr + "\",\"pools\":[\"" + pool + "\"]}");
        assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(201);
    }

    @Test
    void tokenFileIsCreatedOwnerOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(srv.dataDir.resolve("api-token")))).isEqualTo("rw-------");
        assertThat(srv.token).hasSize(64);
    }

    @Test
    void noTokenOrWrongTokenIs401ProblemJson() throws Exception {
        Answer none = call(http, "GET", "/api/v1/networks", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.body().path("status").asInt()).isEqualTo(401);
        Answer wrong = call(http, "GET", "/api/v1/networks", null, "not-the-token");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(call(http, "POST", "/api/v1/macs", "{}", "x").status()).isEqualTo(401);
    }

    @Test
    void publicRoutesNeedNoToken() throws Exception {
        assertThat(call(http, "GET", "/healthz", null, null).status()).isEqualTo(200);
        assertThat(call(http, "GET", "/readyz", null, null).status()).isEqualTo(200);
        assertThat(call(http, "GET", "/api/openapi.json", null, null).body().path("openapi").asText()).startsWith("3.");
        HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(srv.url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(m.statusCode()).isEqualTo(200);
    }

    @Test
    void networkCrudWithPoolsAndReservations() throws Exception {
        createNetwork("t1", "198.18.4.0/22", "198.18.4.10-198.18.5.250");
        Answer show = call("GET", "/api/v1/networks/t1", null);
        assertThat(show.body().path("cidr").asText()).isEqualTo("198.18.4.0/22");
        assertThat(call("POST", "/api/v1/networks/t1/pools", "{\"range\":\"198.18.6.10-198.18.6.20\"}").status()).isEqualTo(201);
        assertThat(call("GET", "/api/v1/networks/t1/pools", null).body()).hasSize(2);
        assertThat(call("DELETE", "/api/v1/networks/t1/pools/198.18.6.10-198.18.6.20", null).status()).isEqualTo(204);
        Answer res = call("POST", "/api/v1/networks/t1/reservations", "{\"mac\":\"02-18-AA-00-00-50\",\"ip\":\"198.18.4.5\",\"hostname\":\"db1\"}");
        assertThat(res.status()).isEqualTo(201);
        assertThat(res.body().path("mac").asText()).isEqualTo("02:18:aa:00:00:50");
        assertThat(call("GET", "/api/v1/networks/t1/reservations", null).body()).hasSize(1);
        assertThat(call("DELETE", "/api/v1/networks/t1/reservations/198.18.4.5", null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/networks", null).body()).hasSize(1);
        assertThat(call("DELETE", "/api/v1/networks/t1", null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/networks/t1", null).status()).isEqualTo(404);
    }

    @Test
    void badInputIs400NamingTheField() throws Exception {
        Answer a = call("POST", "/api/v1/networks", "{\"name\":\"t1\",\"cidr\":\"198.18.4.0/33\"}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.contentType()).startsWith("application/problem+json");
        assertThat(a.body().path("field").asText()).isEqualTo("cidr");
        Answer pool = call("POST", "/api/v1/networks", "{\"name\":\"t1\",\"cidr\":\"198.18.4.0/24\",\"pools\":[\"198.18.9.1-198.18.9.5\"]}");
        assertThat(pool.status()).isEqualTo(400);
        assertThat(pool.body().path("field").asText()).isEqualTo("pools[0]");
        assertThat(call("POST", "/api/v1/networks", "{\"name\":\"t1\",\"cidr\":\"198.18.4.0/24\",\"colour\":1}").body().path("field").asText())
                .isEqualTo("colour");
        assertThat(call("POST", "/api/v1/networks", "not json").status()).isEqualTo(400);
        createNetwork("t1", "198.18.4.0/24", "198.18.4.10-198.18.4.20");
        Answer mac = call("POST", "/api/v1/networks/t1/allocations", "{\"mac\":\"zz:zz\"}");
        assertThat(mac.status()).isEqualTo(400);
        assertThat(mac.body().path("field").asText()).isEqualTo("mac");
        assertThat(call("GET", "/api/v1/networks/t1/leases?limit=0", null).body().path("field").asText()).isEqualTo("limit");
    }

    @Test
    void notFoundIs404() throws Exception {
        assertThat(call("GET", "/api/v1/networks/nope", null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/networks/nope/allocations", "{\"mac\":\"02:00:00:00:00:01\"}").status()).isEqualTo(404);
        createNetwork("t1", "198.18.4.0/24", "198.18.4.10-198.18.4.20");
        assertThat(call("DELETE", "/api/v1/networks/t1/allocations/198.18.4.11", null).status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/v1/macs/52:54:00:00:00:99", null).status()).isEqualTo(404);
        Answer route = call("GET", "/api/v1/nothing-here", null);
        assertThat(route.status()).isEqualTo(404);
        assertThat(route.contentType()).startsWith("application/problem+json");
    }

    @Test
    void conflictsAre409() throws Exception {
        createNetwork("t1", "198.18.4.0/24", "198.18.4.10-198.18.4.11");
        assertThat(call("POST", "/api/v1/networks", "{\"name\":\"t1\",\"cidr\":\"198.18.4.0/24\"}").status()).isEqualTo(409);
        assertThat(call("POST", "/api/v1/networks", "{\"name\":\"t2\",\"cidr\":\"198.18.4.128/25\"}").status()).isEqualTo(409);
        Answer first = call("POST", "/api/v1/networks/t1/allocations", "{\"mac\":\"02:00:00:00:00:01\",\"ip\":\"198.18.4.10\"}");
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.body().path("state").asText()).isEqualTo("bound");
        assertThat(call("POST", "/api/v1/networks/t1/allocations", "{\"mac\":\"02:00:00:00:00:02\",\"ip\":\"198.18.4.10\"}").status())
                .isEqualTo(409);
        assertThat(call("POST", "/api/v1/networks/t1/allocations", "{\"mac\":\"02:00:00:00:00:03\"}").status()).isEqualTo(201);
        Answer exhausted = call("POST", "/api/v1/networks/t1/allocations", "{\"mac\":\"02:00:00:00:00:04\"}");
        assertThat(exhausted.status()).isEqualTo(409);
        assertThat(exhausted.contentType()).startsWith("application/problem+json");
        assertThat(call("POST", "/api/v1/networks/t1/reservations", "{\"mac\":\"02:00:00:00:00:05\",\"ip\":\"198.18.4.50\"}").status()).isEqualTo(201);
        assertThat(call("POST", "/api/v1/networks/t1/reservations", "{\"mac\":\"02:00:00:00:00:06\",\"ip\":\"198.18.4.50\"}").status()).isEqualTo(409);
        assertThat(call("POST", "/api/v1/macs", "{\"mac\":\"52:54:00:12:34:56\",\"owner\":\"vm/a/nic0\"}").status()).isEqualTo(201);
        assertThat(call("POST", "/api/v1/macs", "{\"mac\":\"52:54:00:12:34:56\",\"owner\":\"vm/b/nic0\"}").status()).isEqualTo(409);
    }

    @Test
    void allocateReleaseAndLeaseJsonShape() throws Exception {
        createNetwork("t1", "198.18.4.0/24", "198.18.4.10-198.18.4.20");
        Answer a = call("POST", "/api/v1/networks/t1/allocations", "{\"mac\":\"02:18:00:00:00:01\",\"clientId\":\"01021800000001\",\"hostname\":\"web1\"}");
        assertThat(a.status()).isEqualTo(201);
        JsonNode l = a.body();
        assertThat(l.path("network").asText()).isEqualTo("t1");
        assertThat(l.path("mac").asText()).isEqualTo("02:18:00:00:00:01");
        assertThat(l.path("clientId").asText()).isEqualTo("01021800000001");
        assertThat(l.path("hostname").asText()).isEqualTo("web1");
        assertThat(java.time.Instant.parse(l.path("expiresAt").asText())).isAfter(java.time.Instant.now());
        String ip = l.path("ip").asText();
        assertThat(call("GET", "/api/v1/networks/t1/leases/" + ip, null).body().path("state").asText()).isEqualTo("bound");
        assertThat(call("DELETE", "/api/v1/networks/t1/allocations/" + ip, null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/networks/t1/leases/" + ip, null).body().path("state").asText()).isEqualTo("released");
    }

    @Test
    void leasesArePagedAndFiltered() throws Exception {
        createNetwork("t1", "198.18.4.0/24", "198.18.4.10-198.18.4.250");
        for (int i = 0; i < 25; i++) {
            call("POST", "/api/v1/networks/t1/allocations", String.format("{\"mac\":\"02:18:00:00:01:%02x\"}", i));
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = call("GET", "/api/v1/networks/t1/leases?limit=10" + (cursor == null ? "" : "&cursor=" + cursor), null).body();
            page.path("items").forEach(x -> seen.add(x.path("ip").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(seen).hasSize(25);
        assertThat(pages).isEqualTo(3);
        assertThat(call("GET", "/api/v1/networks/t1/leases?mac=02-18-00-00-01-07", null).body().path("items")).hasSize(1);
        assertThat(call("GET", "/api/v1/networks/t1/leases?state=released", null).body().path("items")).isEmpty();
    }

    List<JsonNode> walk(String network, int limit, String filter) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = call("GET", "/api/v1/networks/" + network + "/leases?limit=" + limit + filter
                    + (cursor == null ? "" : "&cursor=" + cursor), null).body();
            assertThat(page.path("items").size()).isLessThanOrEqualTo(limit);
            page.path("items").forEach(all::add);
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            if (cursor != null) {
                assertThat(cursor).isEqualTo(all.getLast().path("ip").asText());
            }
        } while (cursor != null);
        return all;
    }

    @Test
    void leasePagesIncludeOffersInFlight() throws Exception {
        createNetwork("t1", "198.18.4.0/24", "198.18.4.10-198.18.4.250");
        for (int i = 0; i < 12; i++) {
            call("POST", "/api/v1/networks/t1/allocations", String.format("{\"mac\":\"02:18:00:00:02:%02x\"}", i));
        }
        // offers are made by DHCP (DISCOVER); here straight through the server's engine
        for (int i = 0; i < 7; i++) {
            srv.server.engine().offer("t1", dev.vmaddr.ipam.AllocationRequest.of(
                    new dev.vmaddr.addr.MacAddress(0x021800000300L + i)), java.time.Duration.ofMinutes(5));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            Answer one = call("GET", "/api/v1/networks/t1/leases/198.18.4." + i, null);
            if (one.status() == 200) {
                expected.add(one.body().path("ip").asText() + " " + one.body().path("state").asText());
            }
        }
        assertThat(expected).hasSize(19).filteredOn(x -> x.endsWith("offered")).hasSize(7);
        for (int limit : new int[] {1, 3, 7, 19, 20}) {
            assertThat(walk("t1", limit, "")).as("limit %d", limit).extracting(x -> x.path("ip").asText() + " "
                    + x.path("state").asText()).containsExactlyElementsOf(expected);
            assertThat(walk("t1", limit, "&state=offered")).extracting(x -> x.path("ip").asText() + " offered")
                    .containsExactlyElementsOf(expected.stream().filter(x -> x.endsWith("offered")).toList());
        }
        // a full last page still says where to go on; the page after it is empty
        JsonNode last = call("GET", "/api/v1/networks/t1/leases?limit=19", null).body();
        assertThat(last.path("items")).hasSize(19);
        assertThat(last.path("nextCursor").isNull()).isTrue();
    }

    @Test
    void macsAllocateClaimListRelease() throws Exception {
        Answer a = call("POST", "/api/v1/macs", "{}");
        assertThat(a.status()).isEqualTo(201);
        assertThat(a.body().path("mac").asText()).matches("52:54:00(:[0-9a-f]{2}){3}");
        Answer c = call("POST", "/api/v1/macs", "{\"mac\":\"52-54-00-AA-BB-CC\",\"owner\":\"vm/web1/nic0\"}");
        assertThat(c.body().path("mac").asText()).isEqualTo("52:54:00:aa:bb:cc");
        assertThat(call("GET", "/api/v1/macs", null).body()).hasSize(2);
        assertThat(call("DELETE", "/api/v1/macs/52:54:00:aa:bb:cc", null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/macs/52:54:00:aa:bb:cc", null).body().path("state").asText()).isEqualTo("quarantined");
    }

    @Test
    void metricsShowPoolGaugesAndApiLatency() throws Exception {
        createNetwork("t1", "198.18.4.0/24", "198.18.4.10-198.18.4.19");
        call("POST", "/api/v1/networks/t1/allocations", "{\"mac\":\"02:18:00:00:00:01\"}");
        String text = http.send(HttpRequest.newBuilder(URI.create(srv.url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(text).contains("vmaddr_pool_size{network=\"t1\"} 10.0").contains("vmaddr_pool_used{network=\"t1\"} 1.0")
                .contains("vmaddr_pool_free{network=\"t1\"} 9.0").contains("vmaddr_api_request_seconds_count{")
                .contains("route=\"/api/v1/networks/{network}/allocations\"");
        // the store's group commits: at least the network and the allocation were committed
        java.util.regex.Matcher commits = java.util.regex.Pattern.compile("vmaddr_store_commit_batch_sum ([0-9.]+)").matcher(text);
        assertThat(commits.find()).as("store commit metrics in %s", text).isTrue();
        assertThat(Double.parseDouble(commits.group(1))).isGreaterThanOrEqualTo(2.0);
        assertThat(text).containsPattern("vmaddr_store_commit_seconds_count [1-9]");
    }

    @Test
    void networksSurviveARestart() throws Exception {
        createNetwork("t1", "198.18.4.0/24", "198.18.4.10-198.18.4.20");
        String ip = call("POST", "/api/v1/networks/t1/allocations", "{\"mac\":\"02:18:00:00:00:01\"}").body().path("ip").asText();
        String mac = call("POST", "/api/v1/macs", "{}").body().path("mac").asText();
        String token = srv.token;
        srv.close();
        srv = new TestServer(dir.resolve("data"));
        assertThat(srv.token).isEqualTo(token);
        assertThat(call("GET", "/api/v1/networks/t1", null).status()).isEqualTo(200);
        JsonNode lease = call("GET", "/api/v1/networks/t1/leases/" + ip, null).body();
        assertThat(lease.path("mac").asText()).isEqualTo("02:18:00:00:00:01");
        assertThat(lease.path("state").asText()).isEqualTo("bound");
        assertThat(call("GET", "/api/v1/macs/" + mac, null).status()).isEqualTo(200);
    }

    /** 10,000 allocations from 64 connections at once into a /18: every address handed out once. */
    @Test
    void tenThousandConcurrentAllocationsOver64ConnectionsGiveNoDuplicates() throws Exception {
        createNetwork("big", "198.18.64.0/18", "198.18.64.10-198.18.127.250");
        int connections = 64;
        int total = 10_000;
        List<Future<List<String>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(connections)) {
            for (int c = 0; c < connections; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    // one HttpClient per worker: its own connection, so 64 connections in all
                    HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    List<String> ips = new ArrayList<>();
                    for (int i = client; i < total; i += connections) {
                        String mac = String.format("02:18:%02x:%02x:%02x:%02x", (i >>> 24) & 0xff, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff);
                        Answer a = call(own, "POST", "/api/v1/networks/big/allocations", "{\"mac\":\"" + mac + "\"}", srv.token);
                        if (a.status() != 201) {
                            throw new AssertionError("allocation " + i + ": " + a.status() + " " + a.body());
                        }
                        ips.add(a.body().path("ip").asText());
                    }
                    return ips;
                }));
            }
        }
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : futures) {
            all.addAll(f.get());
        }
        assertThat(all).hasSize(total);
        assertThat(new HashSet<>(all)).hasSize(total);
        JsonNode stats = call("GET", "/api/v1/networks/big/stats", null).body();
        assertThat(stats.path("used").asLong()).isEqualTo(total);
    }
}
