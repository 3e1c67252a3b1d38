package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request bodies over real HTTP: the size cap (413), unknown lengths (411), nesting, list and string bounds (400). */
class ApiInputLimitsTest {
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

    HttpAnswer post(String path, String body) throws Exception {
        return HttpAnswer.send(http, srv, "POST", path, body, "application/json", srv.token);
    }

    static void assertProblem(HttpAnswer a, int status) throws Exception {
        assertThat(a.status()).as(a.text()).isEqualTo(status);
        assertThat(a.contentType()).startsWith("application/problem+json");
        assertThat(a.json().path("status").asInt()).isEqualTo(status);
    }

    @Test
    void aBodyOverOneMebibyteIs413() throws Exception {
        String big = "{\"name\":\"" + "a".repeat(Json.MAX_BODY_BYTES) + "\"}";
        assertProblem(post("/api/v1/networks", big), 413);
        // before authentication too: a stranger cannot make the server read a large body
        assertThat(HttpAnswer.send(http, srv, "POST", "/api/v1/networks", big, "application/json", null).status()).isEqualTo(413);
    }

    @Test
    void aBodyWithoutLengthIs411() throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(srv.url + "/api/v1/networks"))
                .header("Authorization", "Bearer " + srv.token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8))))
                .build();
        HttpResponse<String> answer = http.send(r, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(411);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void deepNestingIs400WithoutBuildingTheDocument() throws Exception {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertProblem(post("/api/v1/networks", "{\"name\":" + deep + "}"), 400);
        assertProblem(post("/api/v1/vms/x/observed", deep), 400);
    }

    @Test
    void longStringsAndLongListsAre400NamingTheField() throws Exception {
        HttpAnswer longName = post("/api/v1/networks", "{\"name\":\"" + "n".repeat(Json.MAX_STRING_CHARS + 1) + "\",\"cidr\":\"198.18.0.0/24\"}");
        assertProblem(longName, 400);
        assertThat(longName.json().path("field").asText()).isEqualTo("name");
        String items = String.join(",", java.util.Collections.nCopies(Json.MAX_LIST_ITEMS + 1, "\"198.18.0.5\""));
        HttpAnswer longList = post("/api/v1/networks", "{\"name\":\"n\",\"cidr\":\"198.18.0.0/24\",\"dns\":[" + items + "]}");
        assertProblem(longList, 400);
        assertThat(longList.json().path("field").asText()).isEqualTo("dns");
        assertProblem(post("/api/v1/networks", "{\"mtu\":1" + "0".repeat(100) + "}"), 400);
    }
}
