package dev.vmaddr.dhcp.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of bytes (option payloads, chaddr, sname, file). Equality is by content. The array
 * is copied on the way in and out so no caller can change a message after it was built.
 */
public final class Octets {
    public static final Octets EMPTY = new Octets(new byte[0]);
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private Octets(byte[] owned) {
        this.bytes = owned;
    }

    public static Octets of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new Octets(bytes.clone());
    }

    public static Octets of(byte[] source, int offset, int length) {
        return length == 0 ? EMPTY : new Octets(Arrays.copyOfRange(source, offset, offset + length));
    }

    public static Octets ofAscii(String text) {
        return text.isEmpty() ? EMPTY : new Octets(text.getBytes(StandardCharsets.US_ASCII));
    }

    public static Octets parseHex(String hex) {
        return of(HEX.parseHex(hex));
    }

    /** Takes ownership of {@code owned}: only for arrays no one else holds (package-internal). */
    static Octets wrap(byte[] owned) {
        return owned.length == 0 ? EMPTY : new Octets(owned);
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    public int get(int index) {
        return bytes[index] & 0xFF;
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, bytes.length);
    }

    void copyTo(int from, byte[] target, int offset, int length) {
        System.arraycopy(bytes, from, target, offset, length);
    }

    /** The bytes up to the first NUL as ISO-8859-1 text (sname, file, hostname-like options). */
    public String asText() {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }

    public String toHex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Octets other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
