package dev.vmaddr.importing;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Field values as the parsers read them, each failure an {@link ImportFormatException} at the line it is on. */
final class Fields {
    private Fields() {
    }

    static MacAddress mac(String text, String what, String file, int line) {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ImportFormatException(file, line, what + ": \"" + text + "\" is not a MAC address (" + e.getMessage() + ")");
        }
    }

    static Ipv4Address ip(String text, String what, String file, int line) {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ImportFormatException(file, line, what + ": \"" + text + "\" is not an IPv4 address");
        }
    }

    /** A client-id as hex ({@code 01:52:54:...}, {@code 01-52-...} or plain digits). */
    static ClientId hexClientId(String text, String what, String file, int line) {
        try {
            return ClientId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ImportFormatException(file, line, what + ": \"" + text + "\" is not a client-id in hex");
        }
    }

    /** A client-id given as text (dnsmasq {@code id:name}, a dhcpd quoted string): its bytes. */
    static ClientId textClientId(String text) {
        return new ClientId(HexFormat.of().formatHex(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    static long number(String text, String what, String file, int line) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ImportFormatException(file, line, what + ": \"" + text + "\" is not a number");
        }
    }
}
