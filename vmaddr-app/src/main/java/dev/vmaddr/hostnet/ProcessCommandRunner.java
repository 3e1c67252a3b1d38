package dev.vmaddr.hostnet;

import dev.vmaddr.log.LogEvents;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs real processes. Output is read on virtual threads so a chatty command cannot block on a full pipe. */
public final class ProcessCommandRunner implements CommandRunner {
    private static final Logger log = LoggerFactory.getLogger(ProcessCommandRunner.class);

    @Override
    public CommandResult run(List<String> argv, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            return new CommandResult(argv, CommandResult.NOT_FOUND, "", String.valueOf(e.getMessage()));
        }
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
                log.warn(LogEvents.COMMAND_TIMEOUT + " command=\"{}\" timeout={}", String.join(" ", argv), timeout);
                return new CommandResult(argv, CommandResult.TIMED_OUT, out.getNow(""), "timed out after " + timeout);
            }
            int code = p.exitValue();
            // ip netns exec reports a missing program as exit 255/127 with "No such file".
            return new CommandResult(argv, code, out.get(), err.get());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new CommandResult(argv, CommandResult.TIMED_OUT, "", "interrupted");
        } catch (ExecutionException e) {
            return new CommandResult(argv, p.exitValue(), "", String.valueOf(e.getCause()));
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return f;
    }
}
