package dev.vmaddr.serve.multi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A minimal client of one server's REST API, for tests. Thread-safe. */
public record Api(HttpClient http, String url, String token) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Answer(int status, JsonNode body, String text) {}

    public static Api of(String url, String token) {
        return new Api(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), url, token);
    }

    public Answer call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode node = null;
        if (!r.body().isBlank()) {
            try {
                node = JSON.readTree(r.body());
            } catch (IOException e) {
                node = null; // not JSON (e.g. Javalin's own error page): keep the text
            }
        }
        return new Answer(r.statusCode(), node, r.body());
    }

    public Answer allocate(String network, String mac) throws IOException, InterruptedException {
        return call("POST", "/api/v1/networks/" + network + "/allocations", "{\"mac\":\"" + mac + "\"}");
    }

    public int readyz() throws IOException, InterruptedException {
        return call("GET", "/readyz", null).status();
    }
}
