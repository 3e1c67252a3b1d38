package dev.vmaddr.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link Dhcp6ProtocolBenchmark}'s exchange (SOLICIT-ADVERTISE-REQUEST-REPLY of a new client, then
 * its release) in CPU time, not wall time, on a machine others load: the calling thread's CPU µs and
 * bytes allocated per exchange, and the whole process's CPU µs per exchange (with the embedded store
 * that includes its committer thread's encode, write and fsync, and GC and JIT), after a warm-up of
 * the same length, for each store. Usage: {@code java -cp bench/target/benchmarks.jar
 * dev.vmaddr.bench.Dhcp6CpuTime [OPS]} (default 200,000).
 */
public final class Dhcp6CpuTime {
    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) threads;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long tid = Thread.currentThread().threadId();
        for (String store : new String[] {"memory", "embedded"}) {
            Dhcp6ProtocolBenchmark b = new Dhcp6ProtocolBenchmark();
            b.store = store;
            b.setUp();
            try {
                for (int i = 0; i < ops; i++) {
                    b.exchange(); // warm-up
                }
                long cpu0 = threads.getCurrentThreadCpuTime();
                long process0 = os.getProcessCpuTime();
                long bytes0 = alloc.getThreadAllocatedBytes(tid);
                for (int i = 0; i < ops; i++) {
                    b.exchange();
                }
                double cpuUs = (threads.getCurrentThreadCpuTime() - cpu0) / 1000.0 / ops;
                double processUs = (os.getProcessCpuTime() - process0) / 1000.0 / ops;
                double bytes = (double) (alloc.getThreadAllocatedBytes(tid) - bytes0) / ops;
                System.out.printf("store %-8s: %.2f CPU µs/exchange (thread), %.2f (process), %.0f B/exchange (%d exchanges)%n",
                        store, cpuUs, processUs, bytes, ops);
            } finally {
                b.tearDown();
            }
        }
    }
}
