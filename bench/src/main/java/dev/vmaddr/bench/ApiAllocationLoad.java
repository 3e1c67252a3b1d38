package dev.vmaddr.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load tool for the API bar "10,000 concurrent allocations over 64 connections: 0 duplicates,
 * p99 &lt; 20 ms". Creates a fresh /18 network on a running server, keeps C allocations in flight
 * (closed loop) until N are done, prints p50/p90/p99/max latency, throughput, errors and duplicates,
 * and deletes the network (and its leases) again, so reruns against one server start alike.
 *
 * <p>The client shares the machine with the server, so it is kept cheap: C virtual threads, each
 * sending its next request when the previous answer is in, over the JDK's {@link HttpURLConnection}
 * with HTTP/1.1 keep-alive. Its connection cache holds up to C idle connections per server
 * ({@code http.maxConnections}) and a thread takes one back for its next request, so C requests in
 * flight use C connections. (java.net.http.HttpClient, one shared instance, cost 170 µs of CPU per
 * request against 115 µs for this; 64 instances of it, as this tool had, cost 500 µs or more.) A
 * POST is never resent on a stale connection ({@code sun.net.http.retryPost=false}): a resent
 * allocation would be counted once. Each latency runs from just before the request is written to
 * the last byte of the answer; every answer's address is checked against all others for duplicates.
 *
 * <p>{@code --warmup W} first makes W allocations (other MACs, same network, also checked for
 * duplicates) that are not measured: both JVMs compile their hot code then, not during the
 * measured run.
 *
 * <pre>
 * java -XX:TieredStopAtLevel=1 -cp bench/target/benchmarks.jar dev.vmaddr.bench.ApiAllocationLoad \
 *     --api http://127.0.0.1:8067 --token-file ./vmaddr-data/api-token [--requests 10000] [--connections 64] [--warmup 5000]
 * </pre>
 */
public final class ApiAllocationLoad {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public static void main(String[] args) throws Exception {
        String api = "http://127.0.0.1:8067";
        Path tokenFile = Path.of("vmaddr-data/api-token");
        int requests = 10_000;
        int connections = 64;
        int warmup = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--api" -> api = args[++i];
                case "--token-file" -> tokenFile = Path.of(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (warmup + requests > 16_000) {
            System.err.println("--warmup + --requests must fit the benchmark network's pool (16,000 addresses)");
            System.exit(2);
        }
        System.setProperty("http.maxConnections", String.valueOf(connections));
        System.setProperty("sun.net.http.retryPost", "false");
        String auth = "Bearer " + Files.readString(tokenFile).strip();
        String network = "bench" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        // the first free /18 of 198.18.0.0/15 (8 of them), so runs against one server side by side still work
        String cidr = null;
        Answer created = null;
        for (int k = 0; k < 8; k++) {
            String prefix = "198." + (18 + k / 4) + "." + 64 * (k % 4);
            cidr = prefix + ".0/18";
            String pool = prefix + ".10-198." + (18 + k / 4) + "." + (64 * (k % 4) + 63) + ".250";
            created = send(URI.create(api + "/api/v1/networks").toURL(), "POST", auth,
                    "{\"name\":\"" + network + "\",\"cidr\":\"" + cidr + "\",\"pools\":[\"" + pool + "\"]}");
            if (created.status() != 409) {
                break;
            }
        }
        if (created.status() != 201) {
            System.err.println("cannot create network " + cidr + ": " + created.status() + " " + created.body());
            System.exit(1);
        }
        URL allocations = URI.create(api + "/api/v1/networks/" + network + "/allocations").toURL();
        Set<String> ips = ConcurrentHashMap.newKeySet(warmup + requests);
        if (warmup > 0) {
            Result w = run(allocations, auth, 0xb1, warmup, connections, ips);
            System.out.printf("warmup=%d errors=%d duplicates=%d%n", warmup, w.errors, w.duplicates);
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        Result r = run(allocations, auth, 0xb0, requests, connections, ips);
        long cpu = os.getProcessCpuTime() - cpu0;
        int n = requests;
        long[] sorted = r.latencies.clone();
        Arrays.sort(sorted);
        double seconds = r.nanos / 1e9;
        System.out.printf("network=%s cidr=%s requests=%d connections=%d%n", network, cidr, n, connections);
        System.out.printf("p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms throughput=%.0f/s wall=%.2fs client-cpu=%.0fus/request%n",
                sorted[n / 2] / 1e6, sorted[(int) (n * 0.9)] / 1e6, sorted[(int) (n * 0.99)] / 1e6, sorted[n - 1] / 1e6,
                n / seconds, seconds, cpu / 1e3 / n);
        System.out.printf("ok=%d errors=%d duplicates=%d%n", n - r.errors - r.duplicates, r.errors, r.duplicates);
        Answer deleted = send(URI.create(api + "/api/v1/networks/" + network).toURL(), "DELETE", auth, null);
        if (deleted.status() != 204) {
            System.err.println("cannot delete network " + network + ": " + deleted.status() + " " + deleted.body());
        }
        System.exit(r.errors == 0 && r.duplicates == 0 ? 0 : 1);
    }

    record Result(long[] latencies, long nanos, int errors, int duplicates) {}

    record Answer(int status, String body) {}

    /**
     * {@code n} allocations for MACs 02:{@code tag}:i, {@code connections} in flight at a time;
     * every answer's address goes into {@code ips}, a second answer with one is a duplicate.
     */
    static Result run(URL allocations, String auth, int tag, int n, int connections, Set<String> ips)
            throws InterruptedException {
        long[] latencies = new long[n];
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        long t0;
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < connections; w++) {
                workers.submit(() -> {
                    go.await();
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        String body = "{\"mac\":\"" + mac(tag, i) + "\"}";
                        long s = System.nanoTime();
                        try {
                            Answer a = send(allocations, "POST", auth, body);
                            latencies[i] = System.nanoTime() - s;
                            String ip = ip(a.body());
                            if (a.status() != 201 || ip == null) {
                                errors.incrementAndGet();
                            } else if (!ips.add(ip)) {
                                duplicates.incrementAndGet();
                            }
                        } catch (IOException | RuntimeException e) {
                            latencies[i] = System.nanoTime() - s;
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            t0 = System.nanoTime();
            go.countDown();
        } // close() waits for every worker
        return new Result(latencies, System.nanoTime() - t0, errors.get(), duplicates.get());
    }

    /**
     * One request on a kept-alive connection. Reading the answer to its end and closing the stream
     * hands the connection back to the JDK's keep-alive cache for the next request.
     */
    static Answer send(URL url, String method, String auth, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(5_000);
        c.setReadTimeout(30_000);
        c.setRequestProperty("Authorization", auth);
        if (body != null) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.setFixedLengthStreamingMode(bytes.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(bytes);
            }
        }
        int status = c.getResponseCode();
        InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
        if (in == null) {
            return new Answer(status, "");
        }
        try (in) {
            return new Answer(status, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** 02:tag:xx:xx:xx:xx with request number i in the last four octets: a distinct MAC (holder) per request. */
    static String mac(int tag, int i) {
        char[] c = "02:00:00:00:00:00".toCharArray();
        c[3] = HEX[tag >>> 4];
        c[4] = HEX[tag & 0xf];
        for (int k = 0; k < 4; k++) {
            int b = (i >>> (24 - 8 * k)) & 0xff;
            c[6 + 3 * k] = HEX[b >>> 4];
            c[7 + 3 * k] = HEX[b & 0xf];
        }
        return new String(c);
    }

    /** The "ip" field of a lease body, or null. */
    static String ip(String body) {
        int k = body.indexOf("\"ip\":\"");
        if (k < 0) {
            return null;
        }
        int end = body.indexOf('"', k + 6);
        return end < 0 ? null : body.substring(k + 6, end);
    }
}
