package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The document served at /api/openapi.json lists exactly the routes the server registered. */
class OpenApiRoutesTest {
    @TempDir
    Path dir;

    @Test
    void everyRegisteredRouteIsDocumentedAndNothingElse() throws Exception {
        try (TestServer srv = new TestServer(dir)) {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(srv.url + "/api/openapi.json")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            JsonNode doc = Json.MAPPER.readTree(body);
            Set<String> documented = new HashSet<>();
            doc.path("paths").properties().forEach(p -> p.getValue().fieldNames()
                    .forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
            Set<String> registered = new HashSet<>();
            srv.server.apiRoutes().forEach(r -> registered.add(r.method().name() + " " + r.path()));
            assertThat(documented).isEqualTo(registered);
            assertThat(registered).contains("POST /api/v1/networks/{network}/allocations", "DELETE /api/v1/macs/{mac}",
                    "GET /api/v1/networks/{network}/leases", "GET /healthz");
            // every path parameter is declared
            doc.path("paths").properties().forEach(p -> p.getValue().properties().forEach(op -> {
                long params = p.getKey().chars().filter(ch -> ch == '{').count();
                long declared = 0;
                for (JsonNode param : op.getValue().path("parameters")) {
                    declared += param.path("in").asText().equals("path") ? 1 : 0;
                }
                assertThat(declared).as(p.getKey()).isEqualTo(params);
            }));
        }
    }

    @Test
    void routesAreReallyServed() throws Exception {
        // the route table is what Javalin registered: an undocumented path is a 404, a documented one is not
        try (TestServer srv = new TestServer(dir)) {
            HttpClient http = HttpClient.newHttpClient();
            for (var r : srv.server.apiRoutes()) {
                if (!r.method().name().equals("GET") || r.path().contains("{")) {
                    continue;
                }
                int status = http.send(HttpRequest.newBuilder(URI.create(srv.url + r.path())).header("Authorization", "Bearer " + srv.token).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                assertThat(status).as(r.path()).isEqualTo(200);
            }
        }
    }

    @Test
    void exactlyTheRoutesDeclaredPublicAnswerWithoutAToken() throws Exception {
        try (TestServer srv = new TestServer(dir)) {
            HttpClient http = HttpClient.newHttpClient();
            int publicSeen = 0;
            for (var r : srv.server.apiRoutes()) {
                if (!r.method().name().equals("GET") || r.path().contains("{")) {
                    continue;
                }
                int status = http.send(HttpRequest.newBuilder(URI.create(srv.url + r.path())).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                assertThat(status).as(r.path()).isEqualTo(r.authenticated() ? 401 : 200);
                publicSeen += r.authenticated() ? 0 : 1;
            }
            assertThat(publicSeen).isEqualTo(4); // healthz, readyz, metrics, the OpenAPI document
        }
    }
}
