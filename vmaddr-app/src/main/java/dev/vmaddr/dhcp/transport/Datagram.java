package dev.vmaddr.dhcp.transport;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * One received UDP datagram.
 *
 * <p>The payload array is handed over, not copied: the receive path copies the bytes out of its
 * native buffer once, and this record is their only owner. Callers must not modify it afterwards.
 *
 * @param ifIndex     index of the interface the datagram arrived on ({@code ipi_ifindex}); a reply
 *                    to a client without an address must leave through this interface
 * @param source      sender's address and port
 * @param destination address the datagram was sent to ({@code ipi_addr}), e.g. 255.255.255.255
 *                    for a broadcast; tells a broadcast DISCOVER from a unicast RENEW
 * @param payload     the UDP payload
 */
public record Datagram(int ifIndex, InetSocketAddress source, Inet4Address destination, byte[] payload) {

    public Datagram {
        if (ifIndex < 0) {
            throw new IllegalArgumentException("ifIndex must be >= 0, got " + ifIndex);
        }
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(payload, "payload");
    }

    /** Number of payload bytes. */
    public int length() {
        return payload.length;
    }

    // Records compare arrays by identity; two datagrams with equal bytes are equal datagrams.
    @Override
    public boolean equals(Object o) {
        return o instanceof Datagram d
                && ifIndex == d.ifIndex
                && source.equals(d.source)
                && destination.equals(d.destination)
                && Arrays.equals(payload, d.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ifIndex, source, destination, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Datagram[ifIndex=" + ifIndex + ", source=" + source + ", destination="
                + destination.getHostAddress() + ", length=" + payload.length + "]";
    }
}
