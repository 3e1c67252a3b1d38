package dev.vmaddr.addr;

/**
 * A 48-bit IEEE 802 MAC address, held in the low 48 bits of a long.
 *
 * <p>Parsing accepts the common spellings ({@code 52:54:00:ab:cd:ef}, {@code 52-54-00-AB-CD-EF},
 * {@code 5254.00ab.cdef}, {@code 525400abcdef}); {@link #toString()} always prints lower-case,
 * colon-separated.
 */
public record MacAddress(long value) implements Comparable<MacAddress> {
    private static final long MASK = 0xFFFF_FFFF_FFFFL;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public MacAddress {
        if ((value & ~MASK) != 0) {
            throw new IllegalArgumentException("MAC value has more than 48 bits: " + Long.toHexString(value));
        }
    }

    public static MacAddress parse(String text) {
        if (text == null) {
            throw new AddressFormatException("MAC address", "null", "missing");
        }
        String s = text.strip();
        int groupLength = switch (s.length()) {
            case 12 -> 12;           // 525400abcdef
            case 14 -> 4;            // 5254.00ab.cdef
            case 17 -> 2;            // 52:54:00:ab:cd:ef or 52-54-00-ab-cd-ef
            default -> throw new AddressFormatException("MAC address", text,
                    "expected 6 octets as xx:xx:xx:xx:xx:xx, xx-xx-..., xxxx.xxxx.xxxx or 12 hex digits");
        };
        char separator = groupLength == 12 ? 0 : s.charAt(groupLength);
        if (groupLength == 4 && separator != '.' || groupLength == 2 && separator != ':' && separator != '-') {
            throw new AddressFormatException("MAC address", text, "unexpected separator '" + separator + "'");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (separator != 0 && (i + 1) % (groupLength + 1) == 0) {
                if (c != separator) {
                    throw new AddressFormatException("MAC address", text, "expected '" + separator + "' at position " + (i + 1));
                }
                continue;
            }
            int d = hexDigit(c);
            if (d < 0) {
                throw new AddressFormatException("MAC address", text, "'" + c + "' is not a hex digit");
            }
            v = (v << 4) | d;
        }
        return new MacAddress(v);
    }

    /** ASCII hex only: Character.digit would also accept full-width and other Unicode digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    public static MacAddress fromBytes(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[offset + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    public void writeTo(byte[] b, int offset) {
        for (int i = 5; i >= 0; i--) {
            b[offset + 5 - i] = (byte) (value >>> (8 * i));
        }
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        writeTo(b, 0);
        return b;
    }

    public int octet(int index) {
        return (int) (value >>> (8 * (5 - index))) & 0xFF;
    }

    /** The I/G bit is clear: the address names one station, not a group. */
    public boolean isUnicast() {
        return (octet(0) & 0x01) == 0;
    }

    /** The U/L bit is set: the address was not assigned from an IEEE OUI. */
    public boolean isLocallyAdministered() {
        return (octet(0) & 0x02) != 0;
    }

    /**
     * The modified EUI-64 interface identifier (RFC 4291 appendix A): {@code ff:fe} inserted in the
     * middle and the universal/local bit inverted.
     */
    public long eui64InterfaceId() {
        long oui = value >>> 24;
        long nic = value & 0xFF_FFFFL;
        long id = (oui << 40) | (0xFFFEL << 24) | nic;
        return id ^ (0x02L << 56);
    }

    // equals and hashCode written out, not the record's generated ones: those run through
    // java.lang.runtime.ObjectMethods method handles whose LambdaForm classes are made at run time
    // (so the build's AOT cache carries no profile for them) and shared by every record of the same
    // shape. C2 inlines them into the request path with a type guard, and the first call of
    // another shape traps and deoptimizes every method they were inlined into (AllocationEngine.bind,
    // grant, ...): measured at the first second of 12,000 DORA/s after the harness's warm-up. Same
    // values as the generated methods (31 * h + component hash).
    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && m.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }

    @Override
    public String toString() {
        char[] out = new char[17];
        for (int i = 0; i < 6; i++) {
            int o = octet(i);
            out[i * 3] = HEX[o >>> 4];
            out[i * 3 + 1] = HEX[o & 0xF];
            if (i < 5) {
                out[i * 3 + 2] = ':';
            }
        }
        return new String(out);
    }
}
