package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated JSON, random path and query values, to every route of the route table, against a
 * real server with some state (a network, a lease, a VM): no answer may be a 5xx and none may hang.
 * Bounded: {@link #PER_ROUTE} requests per route and {@link #BUDGET} in all; the seed is in every
 * failure message, so a failure replays.
 */
class ApiFuzzTest {
    static final int PER_ROUTE = 40;
    static final Duration BUDGET = Duration.ofSeconds(90);
    static final long SEED = 0x5EC_23L;

    /** Bodies the routes accept, as starting points for mutation: they reach the deeper checks. */
    static final List<String> VALID = List.of(
            "{\"name\":\"lan1\",\"cidr\":\"198.18.1.0/24\",\"gateway\":\"198.18.1.1\",\"pools\":[\"198.18.1.100-198.18.1.199\"],"
                    + "\"dns\":[\"198.18.0.53\"],\"reservations\":[{\"mac\":\"02:18:aa:00:00:50\",\"ip\":\"198.18.1.50\",\"hostname\":\"db1\"}]}",
            "{\"mac\":\"52:54:00:12:34:56\",\"ip\":\"198.18.0.120\",\"hostname\":\"h1\",\"leaseTime\":\"1h\"}",
            "{\"range\":\"198.18.0.200-198.18.0.210\"}",
            "{\"mac\":\"02:18:aa:00:00:51\",\"ip\":\"198.18.0.51\",\"hostname\":\"db2\"}",
            "{\"mac\":\"52:54:00:aa:bb:cc\",\"owner\":\"vm-9\"}",
            "{\"name\":\"vm2\",\"host\":\"hv1\",\"nics\":[{\"name\":\"eth0\",\"network\":\"lan0\",\"mac\":null}]}",
            "{\"host\":\"hv2\"}",
            "{\"name\":\"eth1\",\"network\":\"lan0\",\"mac\":null}",
            "{\"source\":\"qemu-guest-agent\",\"interfaces\":[{\"name\":\"eth0\",\"hardware-address\":\"52:54:00:00:00:01\","
                    + "\"ip-addresses\":[{\"ip-address-type\":\"ipv4\",\"ip-address\":\"198.18.0.7\",\"prefix\":24}]}]}");
    static final List<String> PATH_VALUES = List.of("lan0", "vm1", "eth0", "198.18.0.100", "198.18.0.5", "52:54:00:00:00:01",
            "198.18.0.100-198.18.0.110", "", "..", "%", "0", "-1", "999.1.1.1", "lan0/../x", "\u00e9\u4e2d", "ff:ff:ff:ff:ff:ff");

    @TempDir
    Path dir;
    TestServer srv;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
        send("POST", "/api/v1/networks", "{\"name\":\"lan0\",\"cidr\":\"198.18.0.0/24\",\"gateway\":\"198.18.0.1\","
                + "\"pools\":[\"198.18.0.100-198.18.0.199\"]}");
        send("POST", "/api/v1/networks/lan0/allocations", "{\"mac\":\"52:54:00:00:00:01\"}");
        send("POST", "/api/v1/vms", "{\"name\":\"vm1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"eth0\",\"network\":\"lan0\",\"mac\":null}]}");
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    HttpResponse<String> send(String method, String pathAndQuery, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(srv.url + pathAndQuery)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + srv.token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void noRouteAnswers5xxOrHangsOnRandomAndMutatedInput() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        long deadline = System.nanoTime() + BUDGET.toNanos();
        List<ApiRoute> routes = srv.server.apiRoutes();
        List<String> failures = new ArrayList<>();
        int sent = 0;
        java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int round = 0; round < PER_ROUTE && System.nanoTime() < deadline; round++) {
            for (ApiRoute route : routes) {
                String path = path(route, random) + query(route, random);
                String body = route.method().name().equals("GET") && random.nextInt(4) > 0 ? null : body(random);
                String what = route.method() + " " + path + " body=" + abbreviate(body) + " (seed " + SEED + ", round " + round + ")";
                try {
                    HttpResponse<String> r = send(route.method().name(), path, body);
                    sent++;
                    statuses.merge(r.statusCode(), 1, Integer::sum);
                    if (r.statusCode() >= 500 && !(route.path().equals("/readyz") && r.statusCode() == 503)) {
                        failures.add(r.statusCode() + " for " + what + ": " + abbreviate(r.body()));
                    }
                } catch (HttpTimeoutException e) {
                    failures.add("no answer in time for " + what);
                }
            }
        }
        assertThat(failures).as("answers by status: %s", statuses).isEmpty();
        // the mutations must reach past the parsers, not only bounce off them
        assertThat(statuses.keySet()).as("answers by status: %s", statuses).contains(200, 201, 400, 404);
        assertThat(sent).as("requests sent").isGreaterThanOrEqualTo(routes.size());
    }

    private static String path(ApiRoute route, SplittableRandom random) {
        String path = route.path();
        for (String param : route.pathParams()) {
            String value = random.nextInt(3) == 0 ? randomText(random, 1 + random.nextInt(40)) : PATH_VALUES.get(random.nextInt(PATH_VALUES.size()));
            path = path.replace("{" + param + "}", URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return path;
    }

    private static String query(ApiRoute route, SplittableRandom random) {
        List<String> parts = new ArrayList<>();
        for (String q : route.queryParams()) {
            if (random.nextBoolean()) {
                String value = random.nextBoolean() ? randomText(random, random.nextInt(20))
                        : List.of("-1", "0", "1", "1000000000000", "nad", "libvirt", "qemu", "kubevirt", "yaml", "x").get(random.nextInt(10));
                parts.add(q + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }

    /** A third random JSON, two thirds a valid body with one to three mutations. */
    static String body(SplittableRandom random) {
        if (random.nextInt(3) == 0) {
            return randomJson(random, 0);
        }
        String s = VALID.get(random.nextInt(VALID.size()));
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            s = mutate(s, random);
        }
        return s;
    }

    static String mutate(String s, SplittableRandom random) {
        if (s.isEmpty()) {
            return randomJson(random, 0);
        }
        int at = random.nextInt(s.length());
        return switch (random.nextInt(6)) {
            case 0 -> s.substring(0, at); // truncated
            case 1 -> s.substring(0, at) + (char) random.nextInt(32, 0x2FF) + s.substring(at); // a character inserted
            case 2 -> s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + random.nextInt(8))); // a run deleted
            case 3 -> s.replaceFirst("\"[^\"]*\"(?=[,}\\]])", java.util.regex.Matcher.quoteReplacement(randomJson(random, 1))); // a value of another type
            case 4 -> s.replaceFirst("\\d+", List.of("-1", "0", "4294967296", "99999999999999999999", "1e400", "0.5").get(random.nextInt(6)));
            default -> s.replace(":null", ":" + randomJson(random, 1));
        };
    }

    static String randomJson(SplittableRandom random, int depth) {
        int kind = depth > 4 ? random.nextInt(4) : random.nextInt(6);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> String.valueOf(random.nextBoolean());
            case 2 -> random.nextBoolean() ? String.valueOf(random.nextLong()) : String.valueOf(random.nextDouble() * 1e6);
            case 3 -> com.fasterxml.jackson.databind.node.TextNode.valueOf(randomText(random, random.nextInt(30))).toString();
            case 4 -> {
                List<String> items = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    items.add(randomJson(random, depth + 1));
                }
                yield "[" + String.join(",", items) + "]";
            }
            default -> {
                List<String> fields = new ArrayList<>();
                List<String> names = List.of("name", "cidr", "mac", "ip", "pools", "range", "nics", "network", "host", "source",
                        "interfaces", "leaseTime", "gateway", "dns", "reservations", "x");
                for (int i = random.nextInt(5); i > 0; i--) {
                    fields.add("\"" + names.get(random.nextInt(names.size())) + "\":" + randomJson(random, depth + 1));
                }
                yield "{" + String.join(",", fields) + "}";
            }
        };
    }

    static String randomText(SplittableRandom random, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int c = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x20, 0x7F);
                case 1 -> "0123456789.:-/".charAt(random.nextInt(14));
                case 2 -> random.nextInt(0xA0, 0x3000);
                default -> "abcdef".charAt(random.nextInt(6));
            };
            b.append((char) c);
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s == null ? "none" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
