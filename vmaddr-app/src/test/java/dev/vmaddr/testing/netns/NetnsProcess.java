package dev.vmaddr.testing.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A long-running process inside a namespace. Its stdout and stderr are collected line by line so a
 * test can wait for "READY"-style lines on either (vmaddr logs go to stderr).
 *
 * <p>Threads: two virtual threads pump stdout and stderr; {@code lines} and {@code stderrLines} are
 * guarded by {@code this}, and readers wait on it for new lines.
 */
public final class NetnsProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(3);

    private final List<String> command;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final List<String> stderrLines = new ArrayList<>();
    private boolean stdoutEnded;
    private boolean stderrEnded;

    NetnsProcess(List<String> command, Process process) {
        this.command = List.copyOf(command);
        this.process = process;
        Teardown.register(process);
        // Platform threads: the test JVM also runs in-process servers whose virtual threads can pin
        // both carriers of a 2-core machine in native calls, and a starved pump made a process that
        // had printed its line look silent for a minute (NetnsLabTest, RaSlaacNetnsTest in CI).
        Thread.ofPlatform().daemon().name("netns-stdout-" + process.pid()).start(this::pumpStdout);
        Thread.ofPlatform().daemon().name("netns-stderr-" + process.pid()).start(this::pumpStderr);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the first stdout line (since start) matching {@code condition}.
     *
     * @throws NetnsException on timeout or when the process ends first, with its output
     */
    public String awaitLine(Predicate<String> condition, Duration timeout) {
        return await(false, condition, timeout);
    }

    /** As {@link #awaitLine}, for stderr lines (since start). */
    public String awaitStderrLine(Predicate<String> condition, Duration timeout) {
        return await(true, condition, timeout);
    }

    private String await(boolean fromStderr, Predicate<String> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            int seen = 0;
            List<String> source = fromStderr ? stderrLines : lines;
            while (true) {
                for (; seen < source.size(); seen++) {
                    if (condition.test(source.get(seen))) {
                        return source.get(seen);
                    }
                }
                if (fromStderr ? stderrEnded : stdoutEnded) {
                    throw new NetnsException("process ended before the expected line: " + describe());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new NetnsException("no expected line within " + timeout + ": " + describe());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new NetnsException("interrupted", e);
                }
            }
        }
    }

    /** Stdout lines so far. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized String stderr() {
        return stderrLines.isEmpty() ? "" : String.join("\n", stderrLines) + "\n";
    }

    /** Stderr lines so far. */
    public synchronized List<String> stderrLines() {
        return List.copyOf(stderrLines);
    }

    /** Waits for the process to end by itself; returns its exit code. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new NetnsException("still running after " + timeout + ": " + describe());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetnsException("interrupted", e);
        }
    }

    /** SIGKILL now (a crash, as far as the process can tell), and waits until it is gone. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetnsException("interrupted", e);
        }
    }

    /**
     * SIGTERM, then SIGKILL after a grace period. Idempotent.
     *
     * <p>The SIGTERM goes through the {@link ProcessHandle}, not {@link Process#destroy()}: the latter
     * also closes our ends of the process's stdout and stderr right after the signal, so a client that
     * logs while it shuts down (udhcpc -R: "received SIGTERM", "unicasting a release") died of SIGPIPE
     * (exit 141) before sending its RELEASE or running its deconfig hook, and kept its address. The
     * pumps read to the end instead, and see EOF when the process exits.
     */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.toHandle().destroy();
                if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Teardown.unregister(process);
        }
    }

    /** Command, state and output, for failure messages. */
    public synchronized String describe() {
        return String.join(" ", command)
                + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
                + "\n  stdout: " + String.join("\n          ", lines)
                + "\n  stderr: " + String.join("\n          ", stderrLines);
    }

    private void pumpStdout() {
        try (BufferedReader r = process.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // The stream closes when the process dies; what was read is kept.
        } finally {
            synchronized (this) {
                stdoutEnded = true;
                notifyAll();
            }
        }
    }

    private void pumpStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    stderrLines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // As for stdout.
        } finally {
            synchronized (this) {
                stderrEnded = true;
                notifyAll();
            }
        }
    }
}
