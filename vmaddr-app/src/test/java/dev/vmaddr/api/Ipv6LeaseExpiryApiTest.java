package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.cli.Main;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.testing.MutableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DHCPv6 binding past its valid lifetime shows as {@code expired}, not bound, in the API (server
 * on a clock the test moves) and in {@code vmaddr lease list} reading the store with no server.
 */
class Ipv6LeaseExpiryApiTest {
    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRunOutBindingIsExpiredInTheApiAndInTheOfflineCli() throws Exception {
        Path data = dir.resolve("data");
        // Two hours in the past: the one-hour binding has run out by the real clock the CLI uses.
        MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofHours(2)));
        Lease6 lease;
        try (TestServer srv = new TestServer(data, clock)) {
            HttpAnswer n = HttpAnswer.send(http, srv, "POST", "/api/v1/networks", """
                    {"name":"six","cidr":"198.18.6.0/24","gateway":"198.18.6.1","leaseTime":"1h",
                     "ipv6Prefix":"2001:db8:0:6::/64","ipv6Mode":"stateful","ipv6Pools":["2001:db8:0:6::100-2001:db8:0:6::1ff"]}""",
                    null, srv.token);
            assertThat(n.status()).as(n.text()).isEqualTo(201);
            NetworkSpec six = srv.server.engine().network("six").orElseThrow();
            lease = srv.server.ipv6Leases().bind(six, Duid.parse("00:03:00:01:02:18:00:06:00:01"), 7, null, null, "guest6")
                    .orElseThrow();
            assertThat(v6(srv, "")).singleElement().satisfies(l -> assertThat(l.path("state").asText()).isEqualTo("bound"));
        }

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing answers there: the CLI reads the store
        }
        Path cfg = dir.resolve("vmaddr.yaml");
        Files.writeString(cfg, "dataDir: %s\napi: { listen: 127.0.0.1:%d }\n".formatted(data, port));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Main.run(new String[] {"lease", "list", "--config", cfg.toString(), "--network", "six", "-o", "json"},
                new PrintWriter(out), new PrintWriter(err))).as(err.toString()).isZero();
        JsonNode cli = Json.MAPPER.readTree(out.toString());
        assertThat(cli).singleElement().satisfies(l -> {
            assertThat(l.path("ip").asText()).isEqualTo(lease.ip().toString());
            assertThat(l.path("state").asText()).isEqualTo("expired");
        });

        // The server again, still two hours behind: bound; its clock moves past the end: expired.
        try (TestServer srv = new TestServer(data, clock)) {
            assertThat(v6(srv, "")).singleElement().satisfies(l -> assertThat(l.path("state").asText()).isEqualTo("bound"));
            clock.advance(Duration.ofMinutes(61));
            assertThat(v6(srv, "")).singleElement().satisfies(l -> {
                assertThat(l.path("state").asText()).isEqualTo("expired");
                assertThat(l.path("duid").asText()).isEqualTo("00:03:00:01:02:18:00:06:00:01");
            });
            assertThat(v6(srv, "?state=bound")).isEmpty();
            assertThat(v6(srv, "?state=expired")).hasSize(1);
        }
    }

    /** The DHCPv6 items of network six's lease list. */
    private List<JsonNode> v6(TestServer srv, String query) throws Exception {
        HttpAnswer a = HttpAnswer.send(http, srv, "GET", "/api/v1/networks/six/leases" + query, null, null, srv.token);
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode l : a.json().path("items")) {
            if (l.path("ip").asText().contains(":")) {
                out.add(l);
            }
        }
        return out;
    }
}
