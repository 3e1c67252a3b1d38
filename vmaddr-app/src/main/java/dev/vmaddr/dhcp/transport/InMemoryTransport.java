package dev.vmaddr.dhcp.transport;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link PacketTransport} over two queues ({@link InMemoryQueues}), for protocol tests without
 * sockets and for the build's AOT cache training ({@code dev.vmaddr.serve.AotTraining}), which runs
 * the real server over it: the test {@link #deliver}s datagrams as if they arrived, and reads what
 * the code under test sent with {@link #awaitSent} or {@link #pollSent}.
 */
public final class InMemoryTransport extends InMemoryQueues<Datagram, InMemoryTransport.Sent> implements PacketTransport {

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

    @Override
    public Datagram receive() throws ClosedChannelException {
        return takeDelivered();
    }

    @Override
    public void send(int ifIndex, Inet4Address sourceHint, InetSocketAddress destination,
                     byte[] data, int offset, int length) throws ClosedChannelException {
        Objects.checkFromIndexSize(offset, length, data.length);
        Objects.requireNonNull(destination, "destination");
        recordSent(new Sent(ifIndex, sourceHint, destination, Arrays.copyOfRange(data, offset, offset + length)));
    }
}
