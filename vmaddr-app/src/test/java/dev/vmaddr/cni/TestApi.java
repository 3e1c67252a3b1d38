package dev.vmaddr.cni;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** One authenticated request to a {@link TestServer} for the CNI tests: status and JSON body ({} when empty). */
public record TestApi(int status, JsonNode json) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static TestApi call(TestServer srv, String method, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(srv.url + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + srv.token).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        return new TestApi(r.statusCode(), CniRuntime.JSON.readTree(r.body().isEmpty() ? "{}" : r.body()));
    }
}
