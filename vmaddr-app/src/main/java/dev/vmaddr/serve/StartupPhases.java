package dev.vmaddr.serve;

import dev.vmaddr.log.LogEvents;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wall and process CPU time of each step of {@link Server#start}, one log line a step
 * ({@code event=server.startup.phase phase=store millis=... cpuMillis=...}): where a restart with a
 * million leases spends its time, readable from any server's log (issue 24). The first line,
 * {@code phase=jvm}, is everything before the server began: JVM start, the AOT cache, the command
 * line and the config.
 */
final class StartupPhases {
    private static final Logger LOG = LoggerFactory.getLogger(Server.class);

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long wallNanos = System.nanoTime();
    private long cpuNanos = os.getProcessCpuTime();

    StartupPhases() {
        LOG.info(LogEvents.SERVER_STARTUP_PHASE + " phase=jvm millis={} cpuMillis={}",
                ManagementFactory.getRuntimeMXBean().getUptime(), cpuNanos / 1_000_000);
    }

    /** Logs the step that ends now. */
    void done(String phase) {
        long wall = System.nanoTime();
        long cpu = os.getProcessCpuTime();
        LOG.info(LogEvents.SERVER_STARTUP_PHASE + " phase={} millis={} cpuMillis={}", phase, (wall - wallNanos) / 1_000_000,
                (cpu - cpuNanos) / 1_000_000);
        wallNanos = wall;
        cpuNanos = cpu;
    }
}
