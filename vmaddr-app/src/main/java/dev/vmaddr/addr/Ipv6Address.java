package dev.vmaddr.addr;

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
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            throw new AddressFormatException("IPv6 address", text, "not an IPv6 literal");
        }
        if (!(a instanceof Inet6Address)) {
            throw new AddressFormatException("IPv6 address", text, "is an IPv4 address");
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

    @Override
    public String toString() {
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
