package dev.vmaddr.dhcp.transport;

import dev.vmaddr.addr.Ipv6Address;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Packet6Transport} over two queues ({@link InMemoryQueues}), the IPv6 counterpart of
 * {@link InMemoryTransport}: for the RA and DHCPv6 servers' tests and for the build's AOT cache
 * training ({@code dev.vmaddr.serve.TrainingClients6}), which runs the real servers over it. It also
 * keeps the multicast groups joined (a few per server), for tests that wait for them.
 */
public final class InMemoryPacket6Transport extends InMemoryQueues<Datagram6, InMemoryPacket6Transport.Sent>
        implements Packet6Transport {
    /** One datagram the code under test sent. */
    public record Sent(int ifIndex, Ipv6Address destination, int port, byte[] data) {}

    /** One multicast membership. */
    public record Joined(int ifIndex, Ipv6Address group) {}

    /** Guarded by itself; notified on every join, for {@link #awaitJoined}. */
    private final List<Joined> joined = new ArrayList<>();

    /** The groups joined so far, in the order they were joined. */
    public List<Joined> joined() {
        synchronized (joined) {
            return List.copyOf(joined);
        }
    }

    /** Waits until every one of {@code groups} has been joined; false on timeout. */
    public boolean awaitJoined(Collection<Joined> groups, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (joined) {
            while (!joined.containsAll(groups)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(joined, left);
            }
            return true;
        }
    }

    @Override
    public Datagram6 receive() throws ClosedChannelException {
        return takeDelivered();
    }

    @Override
    public void send(int ifIndex, Ipv6Address destination, int port, byte[] data) throws ClosedChannelException {
        recordSent(new Sent(ifIndex, destination, port, data));
    }

    @Override
    public void join(int ifIndex, Ipv6Address group) {
        synchronized (joined) {
            joined.add(new Joined(ifIndex, group));
            joined.notifyAll();
        }
    }
}
