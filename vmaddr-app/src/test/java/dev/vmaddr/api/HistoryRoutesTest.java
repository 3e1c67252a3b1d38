package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/v1/history over real HTTP against a real server (embedded store, engine, VM inventory). */
class HistoryRoutesTest {
    @TempDir
    Path dir;
    TestServer srv;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
        HttpAnswer n = call("POST", "/api/v1/networks", """
                {"name":"h1","cidr":"198.18.6.0/24","gateway":"198.18.6.1","pools":["198.18.6.10-198.18.6.250"]}""");
        assertThat(n.status()).as(n.text()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    HttpAnswer call(String method, String path, String body) throws Exception {
        return HttpAnswer.send(http, srv, method, path, body, null, srv.token);
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Every item of the history query through pages of {@code limit}, following nextCursor. */
    List<JsonNode> all(String query, int limit) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            HttpAnswer a = call("GET", "/api/v1/history?" + query + "&limit=" + limit + (cursor == null ? "" : "&cursor=" + q(cursor)), null);
            assertThat(a.status()).as(a.text()).isEqualTo(200);
            JsonNode page = a.json();
            assertThat(page.get("items").size()).isLessThanOrEqualTo(limit);
            page.get("items").forEach(out::add);
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        return out;
    }

    @Test
    void whoHadAnAddressAndWhatAVmDidNewestFirstWithTheCallerAsActor() throws Exception {
        HttpAnswer a = call("POST", "/api/v1/networks/h1/allocations", "{\"mac\":\"52:54:00:00:00:01\",\"ip\":\"198.18.6.17\"}");
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(call("DELETE", "/api/v1/networks/h1/allocations/198.18.6.17", null).status()).isEqualTo(204);
        a = call("POST", "/api/v1/networks/h1/allocations", "{\"mac\":\"52:54:00:00:00:02\",\"ip\":\"198.18.6.17\"}");
        assertThat(a.status()).as(a.text()).isEqualTo(201);

        List<JsonNode> byIp = all("ip=198.18.6.17", 1);
        assertThat(byIp).extracting(e -> e.get("kind").asText())
                .containsExactly("lease.bound", "lease.released", "lease.bound");
        assertThat(byIp).extracting(e -> e.get("mac").asText())
                .containsExactly("52:54:00:00:00:02", "52:54:00:00:00:01", "52:54:00:00:00:01");
        JsonNode first = byIp.getFirst();
        assertThat(first.fieldNames()).toIterable()
                .startsWith("at", "kind", "network", "ip", "mac", "vm", "nic", "actor", "detail");
        assertThat(first.get("network").asText()).isEqualTo("h1");
        Instant newest = Instant.parse(first.get("at").asText());
        assertThat(Instant.parse(byIp.get(2).get("at").asText())).isBeforeOrEqualTo(newest);
        // by MAC, in any spelling
        assertThat(all("mac=" + q("52-54-00-00-00-01"), 10)).hasSize(2);

        HttpAnswer vm = call("POST", "/api/v1/vms", "{\"name\":\"web1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"h1\",\"mac\":null}]}");
        assertThat(vm.status()).as(vm.text()).isEqualTo(201);
        HttpAnswer moved = call("POST", "/api/v1/vms/web1/migrate", "{\"host\":\"hv2\"}");
        assertThat(moved.status()).as(moved.text()).isEqualTo(200);
        assertThat(call("DELETE", "/api/v1/vms/web1", null).status()).isEqualTo(204);
        List<JsonNode> byVm = all("vm=web1", 2);
        assertThat(byVm).extracting(e -> e.get("kind").asText()).contains("vm.created", "vm.deleted", "vm.migrated",
                "mac.allocated", "reservation.added", "reservation.removed");
        assertThat(byVm.getFirst().get("kind").asText()).isEqualTo("vm.deleted");
        assertThat(byVm.getLast().get("kind").asText()).isIn("vm.created", "mac.allocated", "reservation.added");
        JsonNode created = byVm.stream().filter(e -> e.get("kind").asText().equals("vm.created")).findFirst().orElseThrow();
        assertThat(created.get("actor").asText()).isEqualTo("api:admin");
        assertThat(created.get("detail").asText()).isEqualTo("on host hv1");
        JsonNode migrated = byVm.stream().filter(e -> e.get("kind").asText().equals("vm.migrated")).findFirst().orElseThrow();
        assertThat(migrated.get("detail").asText()).isEqualTo("to host hv2");
        assertThat(migrated.get("actor").asText()).isEqualTo("api:admin");
        JsonNode reserved = byVm.stream().filter(e -> e.get("kind").asText().equals("reservation.added")).findFirst().orElseThrow();
        assertThat(reserved.get("nic").asText()).isEqualTo("nic0");
        assertThat(reserved.get("vm").asText()).isEqualTo("web1");

        // a time window: nothing before the first event, everything from it on
        assertThat(all("since=" + q(newest.plusSeconds(3600).toString()), 10)).isEmpty();
        assertThat(all("until=2000-01-01", 10)).isEmpty();
        assertThat(all("since=1d", 100)).hasSizeGreaterThanOrEqualTo(byIp.size() + byVm.size());
    }

    @Test
    void badParametersAreProblemsNamingTheField() throws Exception {
        for (String[] bad : new String[][] {{"ip=198.18.6.300", "ip"}, {"mac=zz", "mac"}, {"since=yesterday", "since"},
                {"until=2026-13-01", "until"}, {"limit=0", "limit"}, {"limit=5001", "limit"}, {"cursor=abc", "cursor"},
                {"since=2026-12-02&until=2026-12-01", "until"}}) {
            HttpAnswer a = call("GET", "/api/v1/history?" + bad[0], null);
            assertThat(a.status()).as(bad[0] + " " + a.text()).isEqualTo(400);
            assertThat(a.contentType()).startsWith("application/problem+json");
            assertThat(a.json().toString()).as(bad[0]).contains("\"" + bad[1] + "\"");
        }
        assertThat(HttpAnswer.send(http, srv, "GET", "/api/v1/history", null, null, null).status()).isEqualTo(401);
    }

    @Test
    void theRouteIsInTheOpenApiDocument() throws Exception {
        JsonNode doc = HttpAnswer.send(http, srv, "GET", "/api/openapi.json", null, null, null).json();
        JsonNode get = doc.at("/paths/~1api~1v1~1history/get");
        assertThat(get.isMissingNode()).isFalse();
        assertThat(get.toString()).contains("cursor", "since", "until", "vm");
    }
}
