package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;

/**
 * RFC 2131 4.1, as a server on UDP sockets can follow it: giaddr set → the relay at giaddr:67; a NAK
 * with giaddr zero → broadcast; ciaddr set → unicast to ciaddr:68; otherwise broadcast to
 * 255.255.255.255:68. The RFC's "unicast to chaddr/yiaddr" needs an ARP entry a UDP socket cannot
 * make, so it is a broadcast here whatever the broadcast bit says (all Debian clients accept it).
 */
final class ReplyRouting {
    private ReplyRouting() {
    }

    static Reply route(DhcpMessage request, DhcpMessage reply, DhcpMessageType type, ReceiveContext ctx) {
        int maxSize = request.options().maxMessageSize().orElse(DhcpEncoder.MIN_MESSAGE_SIZE);
        if (!request.giaddr().isAny()) {
            return new Reply(reply, request.giaddr(), Reply.SERVER_PORT, null, maxSize);
        }
        if (type != DhcpMessageType.NAK && !request.ciaddr().isAny()) {
            return new Reply(reply, request.ciaddr(), Reply.CLIENT_PORT, ctx.interfaceName(), maxSize);
        }
        return new Reply(reply, Ipv4Address.BROADCAST, Reply.CLIENT_PORT, ctx.interfaceName(), maxSize);
    }
}
