package dev.vmaddr.dhcp.transport;

import dev.vmaddr.addr.Ipv6Address;
import java.util.Objects;

/**
 * One received IPv6 datagram (UDP payload, or an ICMPv6 message without the IPv6 header). The
 * payload array is handed over, not copied; callers must not modify it.
 *
 * @param ifIndex     interface it arrived on; a reply to a link-local source must leave through it
 * @param source      sender's address (link-local for a client on the link, global for a relay)
 * @param sourcePort  sender's UDP port; 0 for ICMPv6
 * @param destination the address it was sent to (ff02::1:2, ff02::2, or one of ours)
 */
public record Datagram6(int ifIndex, Ipv6Address source, int sourcePort, Ipv6Address destination, byte[] payload) {
    public Datagram6 {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public String toString() {
        return "Datagram6[ifIndex=" + ifIndex + ", source=[" + source + "]:" + sourcePort + ", destination="
                + destination + ", length=" + payload.length + "]";
    }
}
