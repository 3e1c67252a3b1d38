package dev.vmaddr.ra;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Router advertisements and solicitations on the wire (RFC 4861 4.1, 4.2, 4.6; RFC 8106 5.1). The
 * ICMPv6 checksum is left 0: a raw ICMPv6 socket fills it in (RFC 3542 3.1), the kernel knowing the
 * source address it picks.
 */
public final class RaCodec {
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    private static final int OPT_SOURCE_LL = 1;
    private static final int OPT_PREFIX = 3;
    private static final int OPT_MTU = 5;
    private static final int OPT_RDNSS = 25;

    private RaCodec() {}

    public static byte[] encode(RouterAdvertisement ra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(ROUTER_ADVERTISEMENT);
        out.write(0); // code
        short16(out, 0); // checksum
        out.write(ra.curHopLimit());
        out.write((ra.managed() ? 0x80 : 0) | (ra.other() ? 0x40 : 0));
        short16(out, ra.routerLifetimeSeconds());
        int32(out, 0); // reachable time: unspecified
        int32(out, 0); // retrans timer: unspecified
        if (ra.sourceMac() != null) {
            out.write(OPT_SOURCE_LL);
            out.write(1);
            out.writeBytes(ra.sourceMac().toBytes());
        }
        if (ra.mtu() != null) {
            out.write(OPT_MTU);
            out.write(1);
            short16(out, 0);
            int32(out, ra.mtu());
        }
        if (ra.prefix() != null) {
            out.write(OPT_PREFIX);
            out.write(4);
            out.write(ra.prefix().length());
            out.write((ra.onLink() ? 0x80 : 0) | (ra.autonomous() ? 0x40 : 0));
            int32(out, ra.validLifetimeSeconds());
            int32(out, ra.preferredLifetimeSeconds());
            int32(out, 0); // reserved
            address(out, ra.prefix().network());
        }
        if (!ra.dns().isEmpty()) {
            out.write(OPT_RDNSS);
            out.write(1 + 2 * ra.dns().size());
            short16(out, 0);
            int32(out, ra.dnsLifetimeSeconds());
            for (Ipv6Address a : ra.dns()) {
                address(out, a);
            }
        }
        return out.toByteArray();
    }

    /**
     * Reads an advertisement (what tests and a look at a foreign router need).
     *
     * @throws IllegalArgumentException when it is not a well-formed RA
     */
    public static RouterAdvertisement decode(byte[] b) {
        if (b.length < 16 || (b[0] & 0xFF) != ROUTER_ADVERTISEMENT || b[1] != 0) {
            throw new IllegalArgumentException("not a router advertisement");
        }
        int flags = b[5] & 0xFF;
        MacAddress mac = null;
        Integer mtu = null;
        Ipv6Prefix prefix = null;
        boolean onLink = false;
        boolean autonomous = false;
        long valid = 0;
        long preferred = 0;
        List<Ipv6Address> dns = new ArrayList<>();
        long dnsLifetime = 0;
        int at = 16;
        while (at < b.length) {
            if (at + 2 > b.length || b[at + 1] == 0 || at + (b[at + 1] & 0xFF) * 8 > b.length) {
                throw new IllegalArgumentException("option at " + at + " runs past the end");
            }
            int type = b[at] & 0xFF;
            int len = (b[at + 1] & 0xFF) * 8;
            switch (type) {
                case OPT_SOURCE_LL -> mac = MacAddress.fromBytes(b, at + 2);
                case OPT_MTU -> mtu = (int) u32(b, at + 4);
                case OPT_PREFIX -> {
                    onLink = (b[at + 3] & 0x80) != 0;
                    autonomous = (b[at + 3] & 0x40) != 0;
                    valid = u32(b, at + 4);
                    preferred = u32(b, at + 8);
                    byte[] a = new byte[16];
                    System.arraycopy(b, at + 16, a, 0, 16);
                    prefix = new Ipv6Prefix(Ipv6Address.fromBytes(a), b[at + 2] & 0xFF);
                }
                case OPT_RDNSS -> {
                    dnsLifetime = u32(b, at + 4);
                    for (int p = at + 8; p + 16 <= at + len; p += 16) {
                        byte[] a = new byte[16];
                        System.arraycopy(b, p, a, 0, 16);
                        dns.add(Ipv6Address.fromBytes(a));
                    }
                }
                default -> { }
            }
            at += len;
        }
        return new RouterAdvertisement(b[4] & 0xFF, (flags & 0x80) != 0, (flags & 0x40) != 0,
                (b[6] & 0xFF) << 8 | (b[7] & 0xFF), mac, mtu, prefix, onLink, autonomous, valid, preferred, dns, dnsLifetime);
    }

    /** Whether {@code b} is a router solicitation as RFC 4861 6.1.1 accepts it (code 0, 8 bytes or more). */
    public static boolean isSolicitation(byte[] b) {
        return b.length >= 8 && (b[0] & 0xFF) == ROUTER_SOLICITATION && b[1] == 0;
    }

    private static void short16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void int32(ByteArrayOutputStream out, long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
    }

    private static void address(ByteArrayOutputStream out, Ipv6Address a) {
        int32(out, a.high() >>> 32);
        int32(out, a.high());
        int32(out, a.low() >>> 32);
        int32(out, a.low());
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
    }
}
