package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import java.util.Objects;

/**
 * A reply and where to send it (RFC 2131 4.1).
 *
 * @param destination      255.255.255.255 for a broadcast, else a unicast address (giaddr or ciaddr)
 * @param port             67 towards a relay, 68 towards a client
 * @param interfaceName    the interface the request came in on: a broadcast must leave through it
 *                         (IP_PKTINFO); null for relayed requests, which follow the routing table
 * @param maxMessageSize   pass to {@code DhcpEncoder.encode}: the client's option 57, or 576
 */
public record Reply(DhcpMessage message, Ipv4Address destination, int port, String interfaceName, int maxMessageSize) {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;

    public Reply {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(destination, "destination");
    }

    public boolean broadcast() {
        return Ipv4Address.BROADCAST.equals(destination);
    }

    public DhcpMessageType type() {
        return message.messageType().orElseThrow();
    }
}
