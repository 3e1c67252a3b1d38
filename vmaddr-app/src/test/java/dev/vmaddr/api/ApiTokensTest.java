package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.config.VmaddrConfig.ApiToken;
import dev.vmaddr.config.VmaddrConfig.TokenScope;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Named admin and read tokens against a real server over real HTTP: 401, 403, 429, the write log. */
class ApiTokensTest {
    @TempDir
    Path dir;
    TestServer srv;
    String read;
    String ci;
    String ops;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Path data = dir.resolve("data");
        List<ApiToken> tokens = List.of(
                new ApiToken(ApiToken.ADMIN, data.resolve("api-token"), TokenScope.ADMIN),
                new ApiToken(ApiToken.READ, data.resolve("api-token-ro"), TokenScope.READ),
                new ApiToken("ci", dir.resolve("tokens/ci"), TokenScope.READ),
                new ApiToken("ops", dir.resolve("tokens/ops"), TokenScope.ADMIN));
        srv = new TestServer(data, new VmaddrConfig.Api(new VmaddrConfig.Listen("127.0.0.1", 0), data.resolve("api-token"),
                tokens, null, null));
        read = Files.readString(data.resolve("api-token-ro")).strip();
        ci = Files.readString(dir.resolve("tokens/ci")).strip();
        ops = Files.readString(dir.resolve("tokens/ops")).strip();
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    HttpAnswer send(String method, String path, String body, String token) throws Exception {
        return HttpAnswer.send(http, srv, method, path, body, body == null ? null : "application/json", token);
    }

    static final String NETWORK = "{\"name\":\"lan0\",\"cidr\":\"198.18.0.0/24\",\"pools\":[\"198.18.0.100-198.18.0.199\"]}";

    @Test
    void everyTokenFileIsCreatedOwnerOnlyAndDistinct() throws Exception {
        for (Path p : List.of(srv.dataDir.resolve("api-token"), srv.dataDir.resolve("api-token-ro"), dir.resolve("tokens/ci"),
                dir.resolve("tokens/ops"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
        }
        assertThat(List.of(srv.token, read, ci, ops)).doesNotHaveDuplicates();
    }

    @Test
    void readTokensMayReadButEveryWriteIs403ProblemJson() throws Exception {
        assertThat(send("POST", "/api/v1/networks", NETWORK, srv.token).status()).isEqualTo(201);
        for (String token : List.of(read, ci)) {
            assertThat(send("GET", "/api/v1/networks", null, token).status()).isEqualTo(200);
            assertThat(send("GET", "/api/v1/networks/lan0", null, token).status()).isEqualTo(200);
            for (String[] write : List.of(new String[] {"POST", "/api/v1/networks"}, new String[] {"PUT", "/api/v1/networks/lan0"},
                    new String[] {"DELETE", "/api/v1/networks/lan0"}, new String[] {"POST", "/api/v1/networks/lan0/allocations"})) {
                HttpAnswer a = send(write[0], write[1], NETWORK, token);
                assertThat(a.status()).as(write[0] + " " + write[1]).isEqualTo(403);
                assertThat(a.contentType()).startsWith("application/problem+json");
                assertThat(a.json().path("status").asInt()).isEqualTo(403);
            }
        }
        // nothing a read token tried took effect
        assertThat(send("GET", "/api/v1/networks/lan0", null, srv.token).status()).isEqualTo(200);
        assertThat(send("DELETE", "/api/v1/networks/lan0", null, ops).status()).isEqualTo(204);
    }

    @Test
    void missingAndWrongTokensGetTheSame401AndAreCounted() throws Exception {
        HttpAnswer none = send("GET", "/api/v1/networks", null, null);
        // the right token with its last character changed (never to itself: a token ending in "0" once made this 200)
        String last = srv.token.substring(63);
        HttpAnswer wrong = send("GET", "/api/v1/networks", null, srv.token.substring(0, 63) + (last.equals("0") ? "1" : "0"));
        HttpAnswer garbage = send("GET", "/api/v1/networks", null, "x");
        for (HttpAnswer a : List.of(none, wrong, garbage)) {
            assertThat(a.status()).isEqualTo(401);
            assertThat(a.contentType()).startsWith("application/problem+json");
        }
        assertThat(wrong.json().path("detail").asText()).isEqualTo(none.json().path("detail").asText())
                .isEqualTo(garbage.json().path("detail").asText());
        String metrics = send("GET", "/metrics", null, null).text();
        assertThat(metrics).contains("vmaddr_api_auth_failures_total{reason=\"wrong\"} 2.0")
                .contains("vmaddr_api_auth_failures_total{reason=\"missing\"} 1.0");
    }

    @Test
    void repeatedWrongTokensFromOneAddressAre429WithRetryAfterEvenForARightToken() throws Exception {
        int limit = AuthFailureLimiter.Limits.DEFAULT.burst();
        for (int i = 0; i < limit; i++) {
            assertThat(send("GET", "/api/v1/networks", null, "guess-" + i).status()).isEqualTo(401);
        }
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(srv.url + "/api/v1/networks"))
                .header("Authorization", "Bearer guess-again").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        // blocked means blocked: a right token from the same address learns nothing either
        assertThat(send("GET", "/api/v1/networks", null, srv.token).status()).isEqualTo(429);
        // the public probes stay reachable
        assertThat(send("GET", "/healthz", null, null).status()).isEqualTo(200);
    }

    @Test
    void everyWriteIsLoggedWithTheActorOfItsToken() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ApiServer.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        ch.qos.logback.classic.Level before = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO); // tests log warnings only
        logger.addAppender(seen);
        try {
            assertThat(send("POST", "/api/v1/networks", NETWORK, ops).status()).isEqualTo(201);
            assertThat(send("DELETE", "/api/v1/networks/lan0", null, srv.token).status()).isEqualTo(204);
            assertThat(send("GET", "/api/v1/networks", null, ops).status()).isEqualTo(200);
        } finally {
            logger.detachAppender(seen);
            logger.setLevel(before);
        }
        List<String> writes = seen.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("event=api.write")).toList();
        assertThat(writes).hasSize(2);
        assertThat(writes.get(0)).contains("actor=api:ops", "method=POST", "route=/api/v1/networks", "status=201");
        assertThat(writes.get(1)).contains("actor=api:admin", "method=DELETE", "path=/api/v1/networks/lan0", "status=204");
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        for (String[] req : List.of(new String[] {"/healthz", null}, new String[] {"/api/v1/networks", srv.token},
                new String[] {"/api/v1/networks", null}, new String[] {"/no/such/route", srv.token})) {
            java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(srv.url + req[0]));
            if (req[1] != null) {
                b.header("Authorization", "Bearer " + req[1]);
            }
            java.net.http.HttpHeaders h = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).headers();
            assertThat(h.firstValue("Content-Security-Policy")).as(req[0]).contains("default-src 'self'; frame-ancestors 'none'");
            assertThat(h.firstValue("X-Content-Type-Options")).as(req[0]).contains("nosniff");
            assertThat(h.firstValue("Referrer-Policy")).as(req[0]).contains("no-referrer");
        }
    }
}
