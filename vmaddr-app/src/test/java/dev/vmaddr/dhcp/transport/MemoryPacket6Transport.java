package dev.vmaddr.dhcp.transport;

import dev.vmaddr.addr.Ipv6Address;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The in-memory double of {@link Packet6Transport}: tests inject datagrams and read what was sent and joined. */
public final class MemoryPacket6Transport implements Packet6Transport {
    /** One sent datagram. */
    public record Sent(int ifIndex, Ipv6Address destination, int port, byte[] data) {}

    /** One multicast membership. */
    public record Joined(int ifIndex, Ipv6Address group) {}

    private static final Datagram6 CLOSED = new Datagram6(0, Ipv6Address.parse("::"), 0, Ipv6Address.parse("::"), new byte[0]);
    private final LinkedBlockingQueue<Datagram6> inbound = new LinkedBlockingQueue<>();
    public final List<Sent> sent = new CopyOnWriteArrayList<>();
    public final List<Joined> joined = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public void inject(Datagram6 d) {
        inbound.add(d);
    }

    @Override
    public Datagram6 receive() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        try {
            Datagram6 d = inbound.take();
            if (d == CLOSED) {
                throw new AsynchronousCloseException();
            }
            return d;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AsynchronousCloseException();
        }
    }

    @Override
    public void send(int ifIndex, Ipv6Address destination, int port, byte[] data) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        sent.add(new Sent(ifIndex, destination, port, data));
    }

    @Override
    public void join(int ifIndex, Ipv6Address group) {
        joined.add(new Joined(ifIndex, group));
    }

    /** Waits until {@code n} datagrams have been sent; false on timeout. */
    public boolean awaitSent(int n, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (sent.size() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Waits until every one of {@code groups} has been joined; false on timeout. */
    public boolean awaitJoined(List<Joined> groups, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!joined.containsAll(groups)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        inbound.add(CLOSED);
    }
}
