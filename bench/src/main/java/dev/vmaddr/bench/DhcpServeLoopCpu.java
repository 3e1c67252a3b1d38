package dev.vmaddr.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A fresh server's first seconds, as the rate harness gives them, in CPU rather than drops: the
 * {@link ServeLoop} (the real server over the in-memory transport) started in this JVM, 2 s idle,
 * 2 s of new clients at 3,000 DORA/s, 5 s at 12,000/s (the warm-up clients returning first, then new
 * ones; slower when the machine cannot keep up: the achieved rate is printed). Each second prints
 * the CPU of the JIT compiler threads, of the request path (the receiver and the store's committer),
 * of GC, and the request path's µs per DORA, from /proc/self/task/N/schedstat (ns of CPU per thread,
 * independent of the machine's load apart from cache effects).
 *
 * <p>Run it as {@code vmaddr serve} runs, with the build's AOT cache (the cache requires the app jar
 * first on the class path):
 * <pre>java @vmaddr-app/src/main/jvm/serve.options -XX:AOTCache=vmaddr-app/target/vmaddr-VERSION.aot \
 *   -cp vmaddr-app/target/vmaddr-VERSION-all.jar:bench/target/benchmarks.jar dev.vmaddr.bench.DhcpServeLoopCpu</pre>
 */
public final class DhcpServeLoopCpu {
    private DhcpServeLoopCpu() {}

    public static void main(String[] args) throws Exception {
        double[] seconds = {2, 2, 5};
        int[] rates = {0, 3_000, 12_000};
        Path work = Files.createTempDirectory("vmaddr-serveloop-cpu");
        long start = System.nanoTime();
        Map<String, Long> last = threadCpu();
        AtomicLong acks = new AtomicLong();
        String[] phaseNames = {"idle 2 s", "3,000/s 2 s", "12,000/s 5 s"};
        List<String> summary = new ArrayList<>();
        Thread client = Thread.ofPlatform().name("loop-client").unstarted(() -> {
            try (ServeLoop loop = new ServeLoop(work)) {
                loop.answerOffers(acks);
                long next = 0;
                long phaseStart = System.nanoTime();
                for (int phase = 0; phase < rates.length; phase++) {
                    long end = phaseStart + (long) (seconds[phase] * 1e9);
                    Map<String, Long> cpuAtStart = threadCpu();
                    long acksAtStart = acks.get();
                    if (phase == 2) {
                        next = 0; // the warm-up's clients come back first, as perfdhcp's do
                    }
                    long sent = 0;
                    while (System.nanoTime() < end) {
                        if (rates[phase] == 0) {
                            Thread.sleep(10);
                            continue;
                        }
                        // open loop at the phase's rate, in bursts of 1 ms (perfdhcp sends in bursts too)
                        long due = (System.nanoTime() - phaseStart) * rates[phase] / 1_000_000_000L;
                        while (sent < due) {
                            loop.discover(next++);
                            sent++;
                        }
                        Thread.sleep(1);
                    }
                    phaseStart = end;
                    Map<String, Long> cpuAtEnd = threadCpu();
                    long n = acks.get() - acksAtStart;
                    long request = delta(cpuAtEnd, cpuAtStart, "dhcp-receiver") + delta(cpuAtEnd, cpuAtStart, "vmaddr-store-c");
                    summary.add(String.format("phase %-13s ACKs %6d  JIT C1 %4d ms C2 %4d ms  request %5d ms = %s us/DORA",
                            phaseNames[phase], n, delta(cpuAtEnd, cpuAtStart, "C1 CompilerThre") / 1_000_000,
                            delta(cpuAtEnd, cpuAtStart, "C2 CompilerThre") / 1_000_000, request / 1_000_000,
                            n == 0 ? "-" : String.format("%.1f", request / 1000.0 / n)));
                }
                Thread.sleep(500); // the last ACKs
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        client.start();
        System.out.println("sec  ACK/s  jit_ms(C1/C2)  request_ms  gc_ms  other_ms  us/DORA(request)  us/DORA(all but jit)");
        long lastDone = 0;
        long totalJit = 0;
        for (int sec = 1; client.isAlive(); sec++) {
            client.join(Math.max(1, (start + sec * 1_000_000_000L - System.nanoTime()) / 1_000_000));
            Map<String, Long> now = threadCpu();
            long c1 = delta(now, last, "C1 CompilerThre");
            long c2 = delta(now, last, "C2 CompilerThre");
            long request = delta(now, last, "dhcp-receiver") + delta(now, last, "vmaddr-store-c");
            long gc = delta(now, last, "GC Thread") + delta(now, last, "VM Thread");
            long all = 0;
            for (Map.Entry<String, Long> e : now.entrySet()) {
                all += e.getValue() - last.getOrDefault(e.getKey(), 0L);
            }
            long clientCpu = delta(now, last, "loop-client");
            long other = all - c1 - c2 - request - gc - clientCpu;
            long d = acks.get();
            long n = d - lastDone;
            totalJit += c1 + c2;
            System.out.printf("%3d  %6d  %5d (%d/%d)  %9d  %5d  %8d  %16s  %s%n", sec, n, (c1 + c2) / 1_000_000,
                    c1 / 1_000_000, c2 / 1_000_000, request / 1_000_000, gc / 1_000_000, other / 1_000_000,
                    n == 0 ? "-" : String.format("%.1f", request / 1000.0 / n),
                    n == 0 ? "-" : String.format("%.1f", (request + gc + other) / 1000.0 / n));
            last = now;
            lastDone = d;
        }
        summary.forEach(System.out::println);
        System.out.printf("total JIT compiler CPU %d ms; DORAs %d%n", totalJit / 1_000_000, lastDone);
        System.exit(0);
    }

    private static long delta(Map<String, Long> now, Map<String, Long> last, String prefix) {
        long sum = 0;
        for (Map.Entry<String, Long> e : now.entrySet()) {
            if (e.getKey().substring(e.getKey().indexOf(' ') + 1).startsWith(prefix)) {
                sum += e.getValue() - last.getOrDefault(e.getKey(), 0L);
            }
        }
        return sum;
    }

    /** "tid comm" -> ns of CPU, for every thread of this process. */
    private static Map<String, Long> threadCpu() {
        Map<String, Long> cpu = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    long ns = Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                    cpu.put(t.getFileName() + " " + comm, ns);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cpu;
    }
}
