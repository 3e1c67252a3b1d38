package dev.vmaddr.model;

import dev.vmaddr.addr.MacAddress;
import java.util.HexFormat;

/**
 * A DHCP client identifier (option 61), kept as lower-case hex without separators so that it is an
 * immutable value with a stable text form (udhcpc sends {@code 01} + MAC, i.e. "01525400abcdef").
 */
public record ClientId(String hex) {
    private static final HexFormat HEX = HexFormat.of();

    public ClientId {
        if (hex == null || hex.isEmpty() || (hex.length() & 1) != 0) {
            throw new IllegalArgumentException("client-id must be a non-empty even number of hex digits: " + hex);
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                throw new IllegalArgumentException("client-id \"" + hex + "\" is not hex");
            }
        }
        hex = hex.toLowerCase(java.util.Locale.ROOT);
    }

    /** Accepts {@code 01:52:54:00:ab:cd:ef}, {@code 01-52-...} or plain hex. */
    public static ClientId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("client-id is missing");
        }
        return new ClientId(text.strip().replace(":", "").replace("-", ""));
    }

    public static ClientId of(byte[] bytes, int offset, int length) {
        return new ClientId(HEX.formatHex(bytes, offset, offset + length));
    }

    /**
     * The client-id of hardware type 1 (Ethernet) with {@code mac}: {@code 01} + the MAC, what
     * udhcpc and many firmwares send. Such a client-id names the same client as the bare MAC.
     */
    public static ClientId ofHardware(MacAddress mac) {
        byte[] b = new byte[7];
        b[0] = 1;
        mac.writeTo(b, 1);
        return new ClientId(HEX.formatHex(b));
    }

    public byte[] toBytes() {
        return HEX.parseHex(hex);
    }

    @Override
    public String toString() {
        return hex;
    }

    // Written out, not generated: see MacAddress#equals for why.
    @Override
    public boolean equals(Object o) {
        return o instanceof ClientId c && c.hex.equals(hex);
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }
}
