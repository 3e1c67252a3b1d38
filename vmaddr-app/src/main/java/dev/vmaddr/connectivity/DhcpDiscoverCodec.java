package dev.vmaddr.connectivity;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.MacAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The two DHCP messages a probe needs: a DISCOVER it sends, and the OFFERs it reads. Nothing else
 * (the probe never REQUESTs, so it never takes a lease). Kept apart from the socket for byte-level tests.
 */
public final class DhcpDiscoverCodec {
    static final int MAGIC = 0x63825363;
    private static final int FIXED = 236;

    private DhcpDiscoverCodec() {}

    /** A broadcast-flag DISCOVER (so servers broadcast the OFFER to a client that holds no address). */
    public static byte[] discover(int xid, MacAddress chaddr) {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0); // BOOTREQUEST, Ethernet, hlen 6, hops
        b.putInt(xid);
        b.putShort((short) 0).putShort((short) 0x8000);               // secs, flags = broadcast
        b.position(28);
        b.put(chaddr.toBytes());
        b.position(FIXED);
        b.putInt(MAGIC);
        b.put(new byte[] {53, 1, 1});                                  // DHCPDISCOVER
        b.put(new byte[] {55, 3, 1, 3, 54});                           // want: mask, router, server id
        b.put(new byte[] {12, 12});                                    // hostname, so server logs say who
        b.put("vmaddr-probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put((byte) 255);
        return b.array(); // padded to 300 bytes: some servers ignore shorter BOOTP packets
    }

    /** The OFFER for {@code xid}, or empty when the packet is something else (or malformed). */
    public static Optional<DhcpOffer> parseOffer(byte[] p, int len, int xid, Ipv4Address source) {
        if (len < FIXED + 4 || p[0] != 2 || ByteBuffer.wrap(p, 4, 4).getInt() != xid
                || ByteBuffer.wrap(p, FIXED, 4).getInt() != MAGIC) {
            return Optional.empty();
        }
        Ipv4Address yiaddr = Ipv4Address.fromBytes(p, 16);
        int type = -1;
        Ipv4Address server = null;
        Ipv4Address router = null;
        Integer maskLen = null;
        int i = FIXED + 4;
        while (i < len) {
            int code = p[i] & 0xff;
            if (code == 0) {
                i++;
                continue;
            }
            if (code == 255 || i + 1 >= len) {
                break;
            }
            int olen = p[i + 1] & 0xff;
            int v = i + 2;
            if (v + olen > len) {
                return Optional.empty();
            }
            switch (code) {
                case 53 -> type = olen >= 1 ? p[v] & 0xff : -1;
                case 54 -> server = olen >= 4 ? Ipv4Address.fromBytes(p, v) : null;
                case 3 -> router = olen >= 4 ? Ipv4Address.fromBytes(p, v) : null;
                case 1 -> maskLen = olen >= 4 ? maskLength(Ipv4Address.fromBytes(p, v).value()) : null;
                default -> { }
            }
            i = v + olen;
        }
        if (type != 2) {
            return Optional.empty();
        }
        Ipv4Prefix cidr = null;
        if (maskLen != null && maskLen >= 0) {
            int mask = maskLen == 0 ? 0 : -1 << (32 - maskLen);
            cidr = new Ipv4Prefix(new Ipv4Address(yiaddr.value() & mask), maskLen);
        }
        return Optional.of(new DhcpOffer(server != null ? server : source, yiaddr, cidr, router));
    }

    /** Prefix length of a contiguous mask, -1 when the mask is not contiguous. */
    static int maskLength(int mask) {
        int len = Integer.bitCount(mask);
        int expected = len == 0 ? 0 : -1 << (32 - len);
        return mask == expected ? len : -1;
    }
}
