package dev.vmaddr.dhcp.transport;

import dev.vmaddr.addr.Ipv6Address;
import java.io.IOException;

/**
 * Moves IPv6 datagrams (DHCPv6 over UDP, router solicitations and advertisements over ICMPv6) so
 * the RA and DHCPv6 servers run over an in-memory double in tests. Same thread contract as
 * {@link PacketTransport}: one receiver, any number of senders, close from anywhere wakes the receiver.
 */
public interface Packet6Transport extends AutoCloseable {
    /** Blocks until a datagram arrives; {@link java.nio.channels.AsynchronousCloseException} once closed. */
    Datagram6 receive() throws IOException;

    /**
     * Sends {@code data} to {@code destination} (port {@code port}; ignored for ICMPv6) out of
     * interface {@code ifIndex}: needed for link-local and multicast destinations, 0 lets routing decide.
     */
    void send(int ifIndex, Ipv6Address destination, int port, byte[] data) throws IOException;

    /** Joins multicast {@code group} on {@code ifIndex} (ff02::2 for solicitations, ff02::1:2 for DHCPv6). */
    void join(int ifIndex, Ipv6Address group) throws IOException;

    @Override
    void close() throws IOException;
}
