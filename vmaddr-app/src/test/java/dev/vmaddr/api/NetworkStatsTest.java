package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.testing.MutableClock;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /networks/{n}/stats} over real HTTP on a server whose clock the test moves: pool use,
 * and the leases granted per minute (allocations and renewals count, releases do not).
 */
class NetworkStatsTest {
    @TempDir
    Path dir;
    TestServer srv;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:05Z"));
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    HttpAnswer call(String method, String path, String body) throws Exception {
        return HttpAnswer.send(http, srv, method, path, body, body == null ? null : "application/json", srv.token);
    }

    JsonNode stats(String network) throws Exception {
        HttpAnswer a = call("GET", "/api/v1/networks/" + network + "/stats", null);
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        return a.json();
    }

    static List<Long> history(JsonNode stats) {
        List<Long> out = new ArrayList<>();
        stats.path("leasesPerMinuteHistory").forEach(n -> out.add(n.asLong()));
        return out;
    }

    void allocate(String mac) throws Exception {
        HttpAnswer a = call("POST", "/api/v1/networks/lan0/allocations", "{\"mac\":\"" + mac + "\"}");
        assertThat(a.status()).as(a.text()).isEqualTo(201);
    }

    @Test
    void leasesPerMinuteFollowTheGrantsMinuteByMinute() throws Exception {
        srv = new TestServer(dir.resolve("data"), clock);
        assertThat(call("POST", "/api/v1/networks", "{\"name\":\"lan0\",\"cidr\":\"198.18.0.0/24\",\"gateway\":\"198.18.0.1\","
                + "\"pools\":[\"198.18.0.100-198.18.0.199\"]}").status()).isEqualTo(201);
        JsonNode empty = stats("lan0");
        assertThat(empty.path("leasesPerMinute").asLong()).isZero();
        assertThat(empty.path("leasesThisMinute").asLong()).isZero();
        assertThat(history(empty)).hasSize(15).containsOnly(0L);

        allocate("02:18:00:00:00:01");
        allocate("02:18:00:00:00:02");
        allocate("02:18:00:00:00:02"); // the same holder again: a renewal, one more grant
        JsonNode now = stats("lan0");
        assertThat(now.path("leasesThisMinute").asLong()).isEqualTo(3);
        assertThat(now.path("used").asLong()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(1));
        allocate("02:18:00:00:00:03");
        assertThat(call("DELETE", "/api/v1/networks/lan0/allocations/198.18.0.100", null).status()).isIn(204, 404);
        JsonNode later = stats("lan0");
        assertThat(later.path("leasesPerMinute").asLong()).as("the last complete minute").isEqualTo(3);
        assertThat(later.path("leasesThisMinute").asLong()).isEqualTo(1);
        assertThat(history(later)).hasSize(15).endsWith(3L);

        clock.advance(Duration.ofMinutes(20));
        JsonNode quiet = stats("lan0");
        assertThat(quiet.path("leasesPerMinute").asLong()).isZero();
        assertThat(history(quiet)).containsOnly(0L);
        assertThat(call("GET", "/api/v1/networks/nope/stats", null).status()).isEqualTo(404);
    }
}
