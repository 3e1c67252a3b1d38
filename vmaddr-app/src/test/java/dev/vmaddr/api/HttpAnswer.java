package dev.vmaddr.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One request to a {@link TestServer}'s API over real HTTP, and its answer as text. */
public record HttpAnswer(int status, String contentType, String text) {
    public JsonNode json() throws Exception {
        return Json.MAPPER.readTree(text);
    }

    /** {@code body}, {@code contentType}, {@code token}: null sends none (no body, no header). */
    public static HttpAnswer send(HttpClient client, TestServer srv, String method, String path, String body, String contentType,
                           String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(srv.url + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new HttpAnswer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }
}
