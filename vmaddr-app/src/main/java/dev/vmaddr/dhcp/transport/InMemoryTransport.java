package dev.vmaddr.dhcp.transport;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link PacketTransport} over two queues, for protocol tests without sockets and for the build's
 * AOT cache training ({@code dev.vmaddr.serve.AotTraining}), which runs the real server over it: the test
 * {@link #deliver}s datagrams as if they arrived, and reads what the code under test sent with
 * {@link #awaitSent} or {@link #pollSent}.
 *
 * <p>Thread-safe like the real one: one receiver, senders and the test on any thread. Closing puts
 * a marker in the inbox, so a blocked receiver wakes as with shutdown(2).
 */
public final class InMemoryTransport implements PacketTransport {

    /** One datagram the code under test sent; {@code data} is a copy of the bytes it passed. */
    public record Sent(int ifIndex, Inet4Address sourceHint, InetSocketAddress destination, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Sent s && ifIndex == s.ifIndex && Objects.equals(sourceHint, s.sourceHint)
                    && destination.equals(s.destination) && Arrays.equals(data, s.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(ifIndex, sourceHint, destination, Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "Sent[ifIndex=" + ifIndex + ", sourceHint=" + sourceHint + ", destination=" + destination
                    + ", length=" + data.length + "]";
        }
    }

    private static final Object CLOSED = new Object();

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final BlockingQueue<Sent> outbox = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    /** Makes {@code datagram} the next one {@link #receive()} returns (after those already queued). */
    public void deliver(Datagram datagram) {
        inbox.add(Objects.requireNonNull(datagram));
    }

    /** The next datagram sent, or null if none within {@code timeout}. */
    public Sent awaitSent(Duration timeout) throws InterruptedException {
        return outbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next datagram sent, or null if none yet. */
    public Sent pollSent() {
        return outbox.poll();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public Datagram receive() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        Object next;
        try {
            next = inbox.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.nio.channels.ClosedByInterruptException();
        }
        if (next == CLOSED) {
            inbox.add(CLOSED); // wake the next receiver too
            throw new AsynchronousCloseException();
        }
        return (Datagram) next;
    }

    @Override
    public void send(int ifIndex, Inet4Address sourceHint, InetSocketAddress destination,
                     byte[] data, int offset, int length) throws ClosedChannelException {
        Objects.checkFromIndexSize(offset, length, data.length);
        Objects.requireNonNull(destination, "destination");
        if (closed) {
            throw new ClosedChannelException();
        }
        outbox.add(new Sent(ifIndex, sourceHint, destination, Arrays.copyOfRange(data, offset, offset + length)));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inbox.add(CLOSED);
        }
    }
}
