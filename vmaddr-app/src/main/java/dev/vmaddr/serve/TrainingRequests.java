package dev.vmaddr.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The HTTP part of the AOT training ({@link AotTraining}): the requests a restarted server meets
 * first — a readiness probe (the first thing an orchestrator or {@code bench/scripts/restart-1m.sh}
 * waits for), liveness, a Prometheus scrape, and what the CLI and the UI read — sent to the training
 * server's API. Without them the API's request path (Jetty's connection, parser and response classes,
 * the routes, JSON writing: ~250 classes) was loaded from the jar at the first request after each
 * start, and the first readiness answer waited for it.
 *
 * <p>Plain HTTP/1.1 over a socket, one request a connection: nothing of a client library enters the
 * cache that the server never uses.
 */
final class TrainingRequests {
    private TrainingRequests() {}

    /** GETs each path from {@code apiUrl} (public ones without the token, the rest with it); returns the 2xx answers. */
    static int send(String apiUrl, Path tokenFile, String network) throws IOException {
        URI api = URI.create(apiUrl);
        String token = Files.readString(tokenFile).strip();
        int ok = 0;
        for (String path : List.of("/readyz", "/healthz", "/metrics")) {
            ok += get(api, path, null) ? 1 : 0;
        }
        for (String path : List.of("/api/v1/networks", "/api/v1/networks/" + network, "/api/v1/networks/" + network + "/stats",
                "/api/v1/networks/" + network + "/leases?limit=50", "/api/v1/history?limit=20", "/api/v1/networks/nowhere")) {
            ok += get(api, path, token) ? 1 : 0;
        }
        return ok;
    }

    private static boolean get(URI api, String path, String token) throws IOException {
        try (Socket s = new Socket(api.getHost(), api.getPort())) {
            s.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + api.getHost() + ":" + api.getPort()
                    + (token == null ? "" : "\r\nAuthorization: Bearer " + token) + "\r\nConnection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return answer.startsWith("HTTP/1.1 2");
        }
    }
}
