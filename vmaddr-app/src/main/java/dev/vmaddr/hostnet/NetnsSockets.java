package dev.vmaddr.hostnet;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens sockets inside another network namespace without leaving this JVM. A socket belongs to the
 * namespace of the thread that created it, and {@code setns(2)} changes only the calling thread's
 * namespace. So: a fresh platform thread enters the namespace, creates (and binds) the socket, and
 * dies; the socket keeps working from any thread. No other thread ever changes namespace.
 */
public final class NetnsSockets {
    private static final int O_RDONLY = 0;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final MethodHandle OPEN;
    private static final MethodHandle SETNS;
    private static final MethodHandle CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        var lookup = linker.defaultLookup();
        OPEN = linker.downcallHandle(lookup.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        SETNS = linker.downcallHandle(lookup.find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        CLOSE = linker.downcallHandle(lookup.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private NetnsSockets() {}

    /** Something that opens a socket (or any fd-backed resource) and may throw. */
    @FunctionalInterface
    public interface Opener<T> {
        T open() throws IOException;
    }

    /**
     * Runs {@code opener} on a new platform thread inside the named namespace ({@code /run/netns/NAME});
     * {@code ns == null} runs it in this process's namespace.
     */
    public static <T> T openIn(String ns, Opener<T> opener) throws IOException {
        if (ns == null) {
            return opener.open();
        }
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + ns).unstarted(() -> {
            try (Arena arena = Arena.ofConfined()) {
                int fd = (int) OPEN.invokeExact(arena.allocateFrom("/run/netns/" + ns), O_RDONLY);
                if (fd < 0) {
                    throw new IOException("cannot open /run/netns/" + ns + " (no such namespace?)");
                }
                try {
                    int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
                    if (rc != 0) {
                        throw new IOException("setns into " + ns + " failed (needs CAP_SYS_ADMIN)");
                    }
                } finally {
                    int ignored = (int) CLOSE.invokeExact(fd);
                }
                result.set(opener.open());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening a socket in " + ns, e);
        }
        if (failure.get() instanceof IOException io) {
            throw io;
        }
        if (failure.get() != null) {
            throw new IOException("cannot open a socket in " + ns + ": " + failure.get(), failure.get());
        }
        return result.get();
    }
}
