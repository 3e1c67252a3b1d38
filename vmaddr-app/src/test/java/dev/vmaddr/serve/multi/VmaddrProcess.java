package dev.vmaddr.serve.multi;

import dev.vmaddr.testing.netns.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real {@code vmaddr serve --config FILE} in a child JVM with this JVM's classpath, optionally
 * behind a command prefix such as {@code ip netns exec NS} (which execs in place, so the process is
 * the JVM itself and {@link #kill9} kills the server). Its stdout and stderr go to a log file, which a
 * test reads for events; {@link #start} returns once the log says where the API listens.
 */
public final class VmaddrProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("API listening on (http://\\S+)");

    private final Process process;
    private final Path log;
    private String apiUrl;

    private VmaddrProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static VmaddrProcess start(Path config, Path log, List<String> prefix, Duration timeout) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(ChildJvm.command(ServeChildMain.class, "serve", "--config", config.toString()));
        Process p;
        try {
            // stdin stays a pipe: its end tells the child that the test JVM is gone
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        VmaddrProcess v = new VmaddrProcess(p, log);
        try {
            v.apiUrl = v.awaitLog(LISTENING, timeout).group(1);
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
        return v;
    }

    public String apiUrl() {
        return apiUrl;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return log;
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Waits for a log line matching {@code pattern}; fails with the log when the process ends or time runs out. */
    public Matcher awaitLog(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(logText());
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("vmaddr exited with " + process.exitValue() + " before " + pattern
                        + "; log:\n" + logText());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + pattern + " within " + timeout + "; log:\n" + logText());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** SIGKILL: the server gets no chance to clean up, like a crash or power loss of its host. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL after 15 s. Idempotent. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
