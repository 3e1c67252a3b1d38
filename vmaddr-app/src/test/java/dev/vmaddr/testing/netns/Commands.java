package dev.vmaddr.testing.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs short commands to completion with a timeout; finds {@code ip}. */
final class Commands {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final List<String> IP_CANDIDATES = List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");

    private Commands() {}

    /** Absolute path of the {@code ip} binary (iproute2), if installed. */
    static Optional<String> ipBinary() {
        for (String candidate : IP_CANDIDATES) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static String ip() {
        return ipBinary().orElseThrow(() -> new NetnsException("iproute2 'ip' not found in " + IP_CANDIDATES));
    }

    /** Runs {@code command}; on timeout kills it and fails, since a hung setup step is a test bug. */
    static ExecResult run(Duration timeout, List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
        } catch (IOException e) {
            throw new NetnsException("cannot start " + String.join(" ", command), e);
        }
        // Both pipes are drained concurrently so a chatty command cannot block on a full pipe.
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new NetnsException("timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new ExecResult(command, process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new NetnsException("interrupted: " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new NetnsException("cannot read output of " + String.join(" ", command), e);
        }
    }

    static ExecResult ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ip());
        command.addAll(List.of(args));
        return run(DEFAULT_TIMEOUT, command).orThrow();
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread.ofPlatform().daemon().name("netns-drain")::start);
        // Platform threads, not virtual: in-process servers in the same test JVM block virtual
        // threads in native receive calls (FFM), which pins their carriers; on 2 cores two such
        // threads starve every virtual drain and a finished `ip` command looked hung.
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }
}
