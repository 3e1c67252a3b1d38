package dev.vmaddr.api.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.HttpAnswer;
import dev.vmaddr.api.TestServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** The API calls the UI tests make to set up data and to learn what the pages must show; each must succeed. */
final class UiData {
    private final TestServer srv;
    private final HttpClient http = HttpClient.newHttpClient();

    UiData(TestServer srv) {
        this.srv = srv;
    }

    JsonNode get(String path) throws Exception {
        return call("GET", path, null);
    }

    JsonNode post(String path, String body) throws Exception {
        return call("POST", path, body);
    }

    JsonNode put(String path, String body) throws Exception {
        return call("PUT", path, body);
    }

    JsonNode delete(String path) throws Exception {
        return call("DELETE", path, null);
    }

    JsonNode network(String name, String cidr, String gateway, String bridge, String pool) throws Exception {
        return post("/api/v1/networks", "{\"name\":\"" + name + "\",\"cidr\":\"" + cidr + "\""
                + (gateway == null ? "" : ",\"gateway\":\"" + gateway + "\"")
                + (bridge == null ? "" : ",\"bridge\":\"" + bridge + "\"")
                + ",\"pools\":[\"" + pool + "\"]}");
    }

    JsonNode allocate(String network, String mac, String hostname) throws Exception {
        return post("/api/v1/networks/" + network + "/allocations", "{\"mac\":\"" + mac + "\""
                + (hostname == null ? "" : ",\"hostname\":\"" + hostname + "\"") + "}");
    }

    private JsonNode call(String method, String path, String body) throws Exception {
        HttpAnswer a = HttpAnswer.send(http, srv, method, path, body, body == null ? null : "application/json", srv.token);
        if (a.status() / 100 != 2) {
            throw new AssertionError(method + " " + path + " answered " + a.status() + ": " + a.text());
        }
        return a.text().isEmpty() ? null : a.json();
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
