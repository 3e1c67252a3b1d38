package dev.vmaddr.model;

import dev.vmaddr.addr.MacAddress;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A DHCPv6 DUID (RFC 8415 section 11), kept as lower-case hex without separators. The text form
 * with colons ({@link #toString()}) is what config reservations and the API show.
 */
public record Duid(String hex) {
    private static final HexFormat HEX = HexFormat.of();
    /** RFC 8415 11.1: a DUID is at most 128 octets of identifier plus its 2-octet type. */
    public static final int MAX_BYTES = 130;

    public Duid {
        if (hex == null || hex.length() < 6 || (hex.length() & 1) != 0 || hex.length() > 2 * MAX_BYTES) {
            throw new IllegalArgumentException("a DUID is 3 to " + MAX_BYTES + " octets of hex: " + hex);
        }
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("DUID \"" + hex + "\" is not hex");
            }
        }
        hex = hex.toLowerCase(Locale.ROOT);
    }

    /** Accepts {@code 00:03:00:01:...}, {@code 00-03-...} or plain hex. */
    public static Duid parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("DUID is missing");
        }
        return new Duid(text.strip().replace(":", "").replace("-", ""));
    }

    public static Duid of(byte[] bytes, int offset, int length) {
        return new Duid(HEX.formatHex(bytes, offset, offset + length));
    }

    public byte[] toBytes() {
        return HEX.parseHex(hex);
    }

    /**
     * The MAC inside a DUID-LLT (type 1) or DUID-LL (type 3) of hardware type 1 (Ethernet), or
     * null: such DUIDs carry the client's link-layer address (RFC 8415 11.2, 11.4).
     */
    public MacAddress linkLayerAddress() {
        return linkLayerAddress(toBytes());
    }

    /** {@link #linkLayerAddress()} of the DUID bytes {@code b}, without building a Duid first (a 3-byte DUID has none). */
    public static MacAddress linkLayerAddress(byte[] b) {
        if (b.length < 4) {
            return null;
        }
        int type = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
        int hwType = (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        int at = type == 1 ? 8 : type == 3 ? 4 : -1;
        if (at < 0 || hwType != 1 || b.length != at + 6) {
            return null;
        }
        return MacAddress.fromBytes(b, at);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(hex.length() * 3 / 2);
        for (int i = 0; i < hex.length(); i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(hex, i, i + 2);
        }
        return sb.toString();
    }
}
