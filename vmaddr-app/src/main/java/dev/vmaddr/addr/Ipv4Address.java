package dev.vmaddr.addr;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 address as an unsigned 32-bit value in an int. Ordering is unsigned. */
public record Ipv4Address(int value) implements Comparable<Ipv4Address> {
    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(-1);

    /** Parses dotted-quad notation strictly: four decimal octets 0-255, no leading zeros beyond "0". */
    public static Ipv4Address parse(String text) {
        if (text == null) {
            throw new AddressFormatException("IPv4 address", "null", "missing");
        }
        String s = text.strip();
        int v = 0;
        int octets = 0;
        int i = 0;
        int n = s.length();
        while (i <= n) {
            int start = i;
            int octet = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    throw new AddressFormatException("IPv4 address", text, "octet too long");
                }
            }
            if (i == start) {
                throw new AddressFormatException("IPv4 address", text, "expected a decimal octet at position " + (start + 1));
            }
            if (i - start > 1 && s.charAt(start) == '0') {
                throw new AddressFormatException("IPv4 address", text, "leading zero in octet");
            }
            if (octet > 255) {
                throw new AddressFormatException("IPv4 address", text, "octet " + octet + " is above 255");
            }
            v = (v << 8) | octet;
            octets++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.' || octets == 4) {
                throw new AddressFormatException("IPv4 address", text, "unexpected character '" + s.charAt(i) + "'");
            }
            i++;
        }
        if (octets != 4) {
            throw new AddressFormatException("IPv4 address", text, "expected 4 octets");
        }
        return new Ipv4Address(v);
    }

    public static Ipv4Address of(InetAddress address) {
        if (!(address instanceof Inet4Address a)) {
            throw new AddressFormatException("IPv4 address", String.valueOf(address), "not IPv4");
        }
        return fromBytes(a.getAddress(), 0);
    }

    public static Ipv4Address fromBytes(byte[] b, int offset) {
        return new Ipv4Address(((b[offset] & 0xFF) << 24) | ((b[offset + 1] & 0xFF) << 16)
                | ((b[offset + 2] & 0xFF) << 8) | (b[offset + 3] & 0xFF));
    }

    public void writeTo(byte[] b, int offset) {
        b[offset] = (byte) (value >>> 24);
        b[offset + 1] = (byte) (value >>> 16);
        b[offset + 2] = (byte) (value >>> 8);
        b[offset + 3] = (byte) value;
    }

    public byte[] toBytes() {
        byte[] b = new byte[4];
        writeTo(b, 0);
        return b;
    }

    public Inet4Address toInetAddress() {
        try {
            return (Inet4Address) InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always a valid IPv4 address", e);
        }
    }

    /** The address as an unsigned number, for arithmetic on ranges. */
    public long unsigned() {
        return Integer.toUnsignedLong(value);
    }

    public Ipv4Address plus(long delta) {
        return new Ipv4Address((int) (unsigned() + delta));
    }

    public boolean isAny() {
        return value == 0;
    }

    // Written out, not generated: see MacAddress#equals for why.
    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Address a && a.value == value;
    }

    @Override
    public int hashCode() {
        return value;
    }

    @Override
    public int compareTo(Ipv4Address o) {
        return Integer.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return ((value >>> 24) & 0xFF) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "." + (value & 0xFF);
    }
}
