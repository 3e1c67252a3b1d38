package dev.vmaddr.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load tool for the API bar "10,000 concurrent allocations over 64 connections: 0 duplicates,
 * p99 &lt; 20 ms". Creates a fresh /18 network on a running server, then fires N allocations from C
 * workers, each with its own HttpClient (one connection each), all starting at once. Prints
 * p50/p99/max latency, throughput, errors and duplicates.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.vmaddr.bench.ApiAllocationLoad \
 *     --api http://127.0.0.1:8067 --token-file ./vmaddr-data/api-token [--requests 10000] [--connections 64]
 * </pre>
 */
public final class ApiAllocationLoad {
    private static final Pattern IP = Pattern.compile("\"ip\"\\s*:\\s*\"([0-9.]+)\"");

    public static void main(String[] args) throws Exception {
        String api = "http://127.0.0.1:8067";
        Path tokenFile = Path.of("vmaddr-data/api-token");
        int requests = 10_000;
        int connections = 64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--api" -> api = args[++i];
                case "--token-file" -> tokenFile = Path.of(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        String token = Files.readString(tokenFile).strip();
        String network = "bench" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        HttpClient setup = HttpClient.newHttpClient();
        // the first free /18 of 198.18.0.0/15 (8 of them), so reruns against one server still work
        String cidr = null;
        HttpResponse<String> created = null;
        for (int k = 0; k < 8; k++) {
            String prefix = "198." + (18 + k / 4) + "." + 64 * (k % 4);
            cidr = prefix + ".0/18";
            String pool = prefix + ".10-198." + (18 + k / 4) + "." + (64 * (k % 4) + 63) + ".250";
            created = setup.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/networks"))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + network + "\",\"cidr\":\"" + cidr + "\",\"pools\":[\"" + pool + "\"]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 409) {
                break;
            }
        }
        if (created.statusCode() != 201) {
            System.err.println("cannot create network " + cidr + ": " + created.statusCode() + " " + created.body());
            System.exit(1);
        }
        long[] latencies = new long[requests];
        Set<String> ips = ConcurrentHashMap.newKeySet();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        String url = api + "/api/v1/networks/" + network + "/allocations";
        int n = requests;
        int c = connections;
        long t0;
        long t1;
        try (ExecutorService workers = Executors.newFixedThreadPool(c)) {
            for (int w = 0; w < c; w++) {
                int worker = w;
                workers.submit(() -> {
                    HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(5)).build();
                    go.await();
                    for (int i = worker; i < n; i += c) {
                        String mac = String.format("02:b0:%02x:%02x:%02x:%02x", (i >>> 24) & 0xff, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff);
                        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"mac\":\"" + mac + "\"}")).build();
                        long s = System.nanoTime();
                        try {
                            HttpResponse<String> r = own.send(req, HttpResponse.BodyHandlers.ofString());
                            latencies[i] = System.nanoTime() - s;
                            Matcher m = IP.matcher(r.body());
                            if (r.statusCode() != 201 || !m.find()) {
                                errors.incrementAndGet();
                            } else if (!ips.add(m.group(1))) {
                                duplicates.incrementAndGet();
                            }
                        } catch (Exception e) {
                            latencies[i] = System.nanoTime() - s;
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            t0 = System.nanoTime();
            go.countDown();
            workers.shutdown();
            workers.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES);
            t1 = System.nanoTime();
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        double seconds = (t1 - t0) / 1e9;
        System.out.printf("network=%s cidr=%s requests=%d connections=%d%n", network, cidr, n, c);
        System.out.printf("p50=%.2fms p99=%.2fms max=%.2fms throughput=%.0f/s wall=%.2fs%n",
                sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6, sorted[n - 1] / 1e6, n / seconds, seconds);
        System.out.printf("ok=%d errors=%d duplicates=%d distinct=%d%n", ips.size(), errors.get(), duplicates.get(), new HashSet<>(ips).size());
        System.exit(errors.get() == 0 && duplicates.get() == 0 ? 0 : 1);
    }
}
