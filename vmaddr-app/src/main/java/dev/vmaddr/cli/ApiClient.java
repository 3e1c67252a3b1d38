package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.Json;
import dev.vmaddr.api.PemKeys;
import dev.vmaddr.cni.plugin.MiniHttp;
import dev.vmaddr.cni.plugin.MiniHttp.Response;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CLI's view of the REST API, at {@code http://…}, {@code https://…} (trusting the JDK's CAs, or
 * only {@code caFile}'s) or {@code unix:/path}. Errors become {@link CliException}s: 400 and 401 are
 * bad input or usage (exit 2); 403, 404, 409 and server errors mean the operation failed (exit 1).
 */
public final class ApiClient {
    private final HttpClient http;
    private final String base;
    private final String token;

    public ApiClient(String baseUrl, String token) {
        this(baseUrl, token, null);
    }

    /** {@code caFile}: PEM certificates to trust instead of the JDK's (a private CA); null: the JDK's. */
    public ApiClient(String baseUrl, String token, Path caFile) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
        if (caFile != null) {
            b.sslContext(trusting(caFile));
        }
        this.http = b.build();
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    private static SSLContext trusting(Path caFile) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : PemKeys.certificates(caFile)) {
                trust.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "--ca-file: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new CliException(CliException.BAD_INPUT, "--ca-file " + caFile + ": " + e.getMessage());
        }
    }

    public static String seg(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    public JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }


    /** Every item of a paged list ({@code {items, nextCursor}}), following the cursor to the end. */
    public List<JsonNode> getAllPages(String path, String query) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            String q = query.isEmpty() ? "" : query + "&";
            JsonNode page = get(path + "?" + q + "limit=1000" + (cursor == null ? "" : "&cursor=" + seg(cursor)));
            page.path("items").forEach(all::add);
            JsonNode next = page.path("nextCursor");
            cursor = next.isNull() || next.isMissingNode() ? null : next.asText();
        } while (cursor != null);
        return all;
    }

    /** True when something answers at the base URL's /healthz. */
    public boolean reachable() {
        try {
            return call("GET", "/healthz", null, null, Duration.ofSeconds(2)).status() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** POSTs a text body (e.g. YAML) with its media type; the answer is JSON. */
    public JsonNode postText(String path, String body, String contentType) {
        return json(exchange("POST", path, body, contentType));
    }

    /** POSTs a large text body (an import's NDJSON) and waits up to {@code timeout} for the JSON answer. */
    public JsonNode postLarge(String path, String body, String contentType, Duration timeout) {
        return json(exchange("POST", path, body, contentType, timeout));
    }

    /** A GET whose answer is not JSON (exports: XML, YAML, text), returned as it came. */
    public String getText(String path) {
        return exchange("GET", path, null, null).body();
    }

    private JsonNode send(String method, String path, Object body) {
        return json(exchange(method, path, body == null ? null : Json.write(body), body == null ? null : "application/json"));
    }

    private static JsonNode json(Response r) {
        try {
            return r.body().isEmpty() ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new CliException(CliException.FAILED, "the server answered something that is not JSON: " + e.getMessage());
        }
    }

    /** One request over HTTP(S) or the unix socket, whatever its status. */
    private Response call(String method, String path, String body, String contentType, Duration timeout)
            throws IOException, InterruptedException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        if (base.startsWith("unix:")) {
            // java.net.http cannot dial a unix socket
            return MiniHttp.send(base, method, path, headers, body, timeout);
        }
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, "bad API URL " + base + path + ": " + e.getMessage());
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body());
    }

    /** One request; a non-2xx answer becomes a {@link CliException}. */
    private Response exchange(String method, String path, String body, String contentType) {
        return exchange(method, path, body, contentType, Duration.ofSeconds(30));
    }

    private Response exchange(String method, String path, String body, String contentType, Duration timeout) {
        Response r;
        try {
            r = call(method, path, body, contentType, timeout);
        } catch (ConnectException e) {
            throw new CliException(CliException.FAILED, "no vmaddr server answers at " + base + " (is `vmaddr serve` running?)");
        } catch (HttpTimeoutException | SocketTimeoutException e) {
            throw new CliException(CliException.FAILED, "the server at " + base + " did not answer in time");
        } catch (SSLException e) {
            throw new CliException(CliException.FAILED, "TLS with " + base + " failed (a private CA needs --ca-file): " + e.getMessage());
        } catch (IOException e) {
            throw new CliException(CliException.FAILED, "talking to " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.FAILED, "interrupted");
        }
        int status = r.status();
        if (status >= 200 && status < 300) {
            return r;
        }
        String detail = problemDetail(r.body());
        int exit = status == 400 || status == 401 ? CliException.BAD_INPUT : CliException.FAILED;
        String prefix = switch (status) {
            case 401 -> "not authorized (check --token-file): ";
            case 403 -> "forbidden: ";
            case 429 -> "refused for now: ";
            case 404 -> "not found: ";
            case 409 -> "conflict: ";
            case 400 -> "";
            default -> "server error " + status + ": ";
        };
        throw new CliException(exit, prefix + detail);
    }

    private static String problemDetail(String body) {
        try {
            JsonNode p = Json.MAPPER.readTree(body);
            if (p.has("errors") && p.get("errors").size() > 1) {
                List<String> lines = new ArrayList<>();
                p.get("errors").forEach(e -> lines.add(e.path("field").asText() + ": " + e.path("problem").asText()));
                return String.join("\n", lines);
            }
            return p.path("detail").asText(body);
        } catch (IOException e) {
            return body;
        }
    }
}
