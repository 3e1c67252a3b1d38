package dev.vmaddr.dhcp.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A socket's file descriptor, used by several threads at once and closed by one of them.
 *
 * <p>Every call into the kernel with the descriptor is bracketed by {@link #enter} and {@link #exit}.
 * {@link #shutdownAndClose} marks the descriptor closed, wakes a thread blocked in {@code recvmsg}
 * with {@code shutdown(2)} (unconnected sockets answer ENOTCONN but are still marked shut), waits until
 * no call is inside, and only then closes it and frees the native buffers those calls use: a late
 * call could otherwise hit a descriptor number the process has already reused for another file.
 *
 * <h2>Why a count, not a read-write lock</h2>
 * A {@code ReentrantReadWriteLock} did this before. Its read side keeps a hold count per thread (a
 * ThreadLocal looked up, and removed again, on every send and receive) and branches on which thread
 * read last. A fresh server's receiver and store committer send alternately, at a rhythm the DHCP
 * warm-up does not reproduce exactly: the branch for "another thread read last" trapped in the
 * JIT-compiled send path at the first real traffic and recompiled it while clients came (JFR at
 * 20,000 DORA/s). Here a call costs one atomic add each way and runs no branch that depends on
 * which thread runs.
 *
 * <h2>Memory order</h2>
 * {@code enter} increments, then reads {@code closed}; the closer writes {@code closed}, then reads
 * the count. Both are volatile accesses (sequentially consistent), so at least one side sees the
 * other: the caller backs out, or the closer waits for it.
 */
final class Descriptor {
    private final int fd;
    /** Calls between enter and exit. */
    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean closed;

    Descriptor(int fd) {
        this.fd = fd;
    }

    int fd() {
        return fd;
    }

    /** True once {@link #shutdownAndClose} has begun: a call that returns then was woken by it. */
    boolean closed() {
        return closed;
    }

    /**
     * Before a call with the descriptor; each successful enter needs one {@link #exit}, in a finally.
     *
     * @throws ClosedChannelException once closing has begun (then no exit)
     */
    void enter() throws ClosedChannelException {
        inside.getAndIncrement();
        if (closed) {
            inside.getAndDecrement();
            throw new ClosedChannelException();
        }
    }

    void exit() {
        inside.getAndDecrement();
    }

    /**
     * Closes the descriptor once no call is inside, then frees {@code buffers} (the arena of the
     * native buffers those calls use). Idempotent: only the first call closes.
     */
    void shutdownAndClose(Arena buffers) throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            Libc.shutdown(cs, fd, Libc.SHUT_RDWR);
            while (inside.get() != 0) {
                // Once per socket's life: the callers leave the kernel right after shutdown's wake-up.
                LockSupport.parkNanos(100_000);
            }
            int rc = Libc.close(cs, fd);
            buffers.close();
            if (rc != 0) {
                throw Libc.exception("close(fd " + fd + ")", Libc.errno(cs));
            }
        }
    }
}
