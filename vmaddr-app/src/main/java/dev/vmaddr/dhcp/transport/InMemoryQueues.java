package dev.vmaddr.dhcp.transport;

import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The two queues behind the in-memory transports, IPv4 ({@link InMemoryTransport}) and IPv6
 * ({@link InMemoryPacket6Transport}), so both deliver, receive, send and close the same way: the
 * caller {@link #deliver}s datagrams as if they arrived and takes what the code under test sent
 * from the outbox ({@link #awaitSent}, {@link #pollSent}, {@link #drainSent}). Taking, not keeping:
 * the AOT training's many clients must not leave every answer behind.
 *
 * <p>Thread-safe like the real sockets: one receiver, senders and the caller on any thread. Closing
 * puts a marker in the inbox, so a blocked receiver wakes as with shutdown(2).
 *
 * @param <D> a received datagram
 * @param <S> a sent one, as the transport records it
 */
abstract sealed class InMemoryQueues<D, S> permits InMemoryTransport, InMemoryPacket6Transport {
    private static final Object CLOSED = new Object();

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final BlockingQueue<S> outbox = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    /** Makes {@code datagram} the next one the receiver gets (after those already queued). */
    public void deliver(D datagram) {
        inbox.add(Objects.requireNonNull(datagram));
    }

    /** The next datagram sent, or null if none within {@code timeout}. */
    public S awaitSent(Duration timeout) throws InterruptedException {
        return outbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next datagram sent, or null if none yet. */
    public S pollSent() {
        return outbox.poll();
    }

    /** Every datagram sent and not yet taken, oldest first. */
    public List<S> drainSent() {
        List<S> out = new ArrayList<>();
        outbox.drainTo(out);
        return out;
    }

    public boolean isClosed() {
        return closed;
    }

    /** What the transport's {@code receive()} returns: the next delivered datagram, waiting for one. */
    @SuppressWarnings("unchecked")
    final D takeDelivered() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        Object next;
        try {
            next = inbox.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClosedByInterruptException();
        }
        if (next == CLOSED) {
            inbox.add(CLOSED); // wake the next receiver too
            throw new AsynchronousCloseException();
        }
        return (D) next;
    }

    /** What the transport's {@code send(...)} does once it has made the record of {@code sent}. */
    final void recordSent(S sent) throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        outbox.add(sent);
    }

    public void close() {
        if (!closed) {
            closed = true;
            inbox.add(CLOSED);
        }
    }
}
