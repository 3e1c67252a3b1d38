package dev.vmaddr.addr;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** A 128-bit IPv6 address. {@link #toString()} is the RFC 5952 canonical text form. */
public record Ipv6Address(long high, long low) {

    /** Parses an IPv6 literal; never performs a name lookup. */
    public static Ipv6Address parse(String text) {
        if (text == null) {
            throw new AddressFormatException("IPv6 address", "null", "missing");
        }
        String s = text.strip();
        if (s.indexOf(':') < 0) {
            throw new AddressFormatException("IPv6 address", text, "no ':'");
        }
        // InetAddress.ofLiteral also takes "[...]" and "%scope"; neither is an address value here,
        // and a silently dropped scope would make two different link-local addresses compare equal.
        if (s.indexOf('[') >= 0 || s.indexOf(']') >= 0) {
            throw new AddressFormatException("IPv6 address", text, "brackets are not part of an address");
        }
        if (s.indexOf('%') >= 0) {
            throw new AddressFormatException("IPv6 address", text, "a zone/scope id is not supported");
        }
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            throw new AddressFormatException("IPv6 address", text, "not an IPv6 literal");
        }
        if (a instanceof Inet4Address v4) {
            // Java turns IPv4-mapped literals (::ffff:a.b.c.d) into Inet4Address; keep them IPv6.
            return new Ipv6Address(0, 0xFFFF_0000_0000L | Integer.toUnsignedLong(Ipv4Address.of(v4).value()));
        }
        if (!(a instanceof Inet6Address)) {
            throw new AddressFormatException("IPv6 address", text, "not an IPv6 literal");
        }
        return fromBytes(a.getAddress());
    }

    public static Ipv6Address fromBytes(byte[] b) {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xFF);
            lo = (lo << 8) | (b[i + 8] & 0xFF);
        }
        return new Ipv6Address(hi, lo);
    }

    public int group(int index) {
        long word = index < 4 ? high : low;
        return (int) (word >>> (16 * (3 - (index & 3)))) & 0xFFFF;
    }

    /** Whether this is an IPv4-mapped address ({@code ::ffff:a.b.c.d}, RFC 4291 2.5.5.2). */
    public boolean isIpv4Mapped() {
        return high == 0 && (low >>> 32) == 0xFFFFL;
    }

    @Override
    public String toString() {
        if (isIpv4Mapped()) {
            // RFC 5952 section 5: IPv4-mapped addresses are written with the dotted-quad tail.
            return "::ffff:" + new Ipv4Address((int) low);
        }
        // RFC 5952: lower case, no leading zeros, the longest run (first if tied) of two or more
        // zero groups becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (group(i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && group(j) == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(i)));
        }
        return sb.toString();
    }
}
