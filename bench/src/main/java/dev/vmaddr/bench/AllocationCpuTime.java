package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.memory.MemoryStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@link AllocationBenchmark}'s operation (allocate for a new holder, release it again, on a /16
 * pool at 0, 50 and 99 % fill) timed in the thread's own CPU time, not wall time: on a machine that
 * others load, wall time measures the scheduler, CPU time per operation stays close to the code's
 * cost. Prints CPU µs per operation and allocated bytes per operation, for each fill, after a
 * warm-up of the same length. Usage: {@code java -cp bench/target/benchmarks.jar
 * dev.vmaddr.bench.AllocationCpuTime [OPS]} (default 300,000).
 */
public final class AllocationCpuTime {
    public static void main(String[] args) {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) threads;
        long tid = Thread.currentThread().threadId();
        for (int fill : new int[] {0, 50, 99}) {
            MemoryStore store = new MemoryStore();
            Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
            AllocationEngine engine = new AllocationEngine(store, clock, new SplittableRandom(42));
            engine.putNetwork(NetworkSpec.of("bench", Ipv4Prefix.parse("10.20.0.0/16"), Ipv4Address.parse("10.20.0.1"),
                    List.of(Ipv4Range.parse("10.20.0.0/16"))));
            long size = engine.stats("bench").size();
            for (long i = 0; i < size * fill / 100; i++) {
                engine.allocate("bench", AllocationRequest.of(new MacAddress(0x020000000000L + i)));
            }
            long[] next = {0x060000000000L};
            run(engine, next, ops); // warm-up
            long cpu0 = threads.getCurrentThreadCpuTime();
            long bytes0 = alloc.getThreadAllocatedBytes(tid);
            run(engine, next, ops);
            double cpuUs = (threads.getCurrentThreadCpuTime() - cpu0) / 1000.0 / ops;
            double bytes = (double) (alloc.getThreadAllocatedBytes(tid) - bytes0) / ops;
            System.out.printf("fill %2d %%: %.2f CPU µs/op, %.0f B/op (%d ops)%n", fill, cpuUs, bytes, ops);
        }
    }

    private static void run(AllocationEngine engine, long[] next, int ops) {
        for (int i = 0; i < ops; i++) {
            MacAddress mac = new MacAddress(next[0]++ & 0xFFFF_FFFF_FFFFL);
            Lease l = engine.allocate("bench", AllocationRequest.of(mac));
            engine.release("bench", HolderKey.of(null, mac), l.ip());
        }
    }
}
