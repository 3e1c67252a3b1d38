package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.api.NetworkEditStatusTest.Answer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 23: the network key {@code clients: any | known} through the API, as in the config file. */
class NetworkClientsApiTest {
    @TempDir
    static Path dir;
    static TestServer srv;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    static Answer call(String method, String path, String body) throws Exception {
        HttpAnswer a = HttpAnswer.send(http, srv, method, path, body, null, srv.token);
        return new Answer(a.status(), a.text().isEmpty() ? null : a.json());
    }

    @Test
    void clientsIsWrittenReadAndChecked() throws Exception {
        Answer created = call("POST", "/api/v1/networks", "{\"name\":\"k1\",\"cidr\":\"198.18.20.0/24\",\"clients\":\"known\"}");
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
        assertThat(created.body().path("clients").asText()).isEqualTo("known");
        assertThat(call("GET", "/api/v1/networks/k1", null).body().path("clients").asText()).isEqualTo("known");

        Answer plain = call("POST", "/api/v1/networks", "{\"name\":\"k2\",\"cidr\":\"198.18.21.0/24\"}");
        assertThat(plain.body().path("clients").asText()).as("the default").isEqualTo("any");

        Answer bad = call("PUT", "/api/v1/networks/k1", "{\"name\":\"k1\",\"cidr\":\"198.18.20.0/24\",\"clients\":\"friends\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.field()).isEqualTo("clients");
        assertThat(bad.detail()).contains("any or known");
        assertThat(call("GET", "/api/v1/networks/k1", null).body().path("clients").asText()).isEqualTo("known");
    }
}
