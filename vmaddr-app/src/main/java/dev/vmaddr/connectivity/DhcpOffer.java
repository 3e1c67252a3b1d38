package dev.vmaddr.connectivity;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.dhcp.codec.OptionCodes;
import java.util.List;
import java.util.Optional;

/**
 * A DHCPOFFER as the probe saw it. The wire format is {@link dev.vmaddr.dhcp.codec} (the server's own
 * codec): this record only says what a probe makes of a decoded message.
 *
 * @param server   option 54 (server identifier), else the UDP source address
 * @param yiaddr   the offered address
 * @param cidr     the network derived from yiaddr and option 1; null when the server sent no (contiguous) mask
 * @param router   first address of option 3; null when absent
 */
public record DhcpOffer(Ipv4Address server, Ipv4Address yiaddr, Ipv4Prefix cidr, Ipv4Address router) {

    /**
     * The DISCOVER a probe sends: broadcast flag set (so servers broadcast the OFFER to a client that
     * holds no address), asking for mask, router and server id, with hostname "vmaddr-probe" so server
     * logs say who asked. Never followed by a REQUEST, so no lease is taken.
     */
    public static DhcpMessage discover(int xid, MacAddress chaddr) {
        return DhcpMessage.builder()
                .op(DhcpMessage.BOOTREQUEST)
                .xid(xid)
                .flags(DhcpMessage.FLAG_BROADCAST)
                .mac(chaddr)
                .options(DhcpOptions.builder()
                        .messageType(DhcpMessageType.DISCOVER)
                        .parameterRequestList(OptionCodes.SUBNET_MASK, OptionCodes.ROUTERS, OptionCodes.SERVER_ID)
                        .hostname("vmaddr-probe")
                        .build())
                .build();
    }

    /**
     * The RELEASE that gives back what a probe was offered (RFC 2131 4.4.6: ciaddr the address, option 54
     * the server), so a server that keeps offered addresses aside (vmaddr, Kea with an offer lifetime)
     * does not hold one for a client that is already gone.
     */
    public DhcpMessage release(int xid, MacAddress chaddr) {
        return DhcpMessage.builder()
                .op(DhcpMessage.BOOTREQUEST)
                .xid(xid)
                .ciaddr(yiaddr)
                .mac(chaddr)
                .options(DhcpOptions.builder()
                        .messageType(DhcpMessageType.RELEASE)
                        .serverId(server)
                        .build())
                .build();
    }

    /** The OFFER answering {@code xid}, or empty when {@code m} is something else. */
    public static Optional<DhcpOffer> from(DhcpMessage m, int xid, Ipv4Address source) {
        if (m.op() != DhcpMessage.BOOTREPLY || m.xid() != xid
                || m.messageType().orElse(null) != DhcpMessageType.OFFER) {
            return Optional.empty();
        }
        DhcpOptions o = m.options();
        Ipv4Prefix cidr = o.subnetMask().map(mask -> maskLength(mask.value()))
                .filter(len -> len >= 0)
                .map(len -> new Ipv4Prefix(new Ipv4Address(m.yiaddr().value() & (len == 0 ? 0 : -1 << (32 - len))), len))
                .orElse(null);
        List<Ipv4Address> routers = o.routers();
        return Optional.of(new DhcpOffer(o.serverId().orElse(source), m.yiaddr(), cidr,
                routers.isEmpty() ? null : routers.getFirst()));
    }

    /** Prefix length of a contiguous mask, -1 when the mask is not contiguous. */
    static int maskLength(int mask) {
        int len = Integer.bitCount(mask);
        int expected = len == 0 ? 0 : -1 << (32 - len);
        return mask == expected ? len : -1;
    }
}
