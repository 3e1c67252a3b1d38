package dev.vmaddr.dhcp.codec;

import java.util.Objects;

/**
 * One option as the client sees it after RFC 3396 concatenation: a code (1-254) and its whole value,
 * which may be longer than 255 bytes (the encoder splits it again).
 */
public record DhcpOption(int code, Octets data) {
    public DhcpOption {
        if (code <= OptionCodes.PAD || code >= OptionCodes.END) {
            throw new IllegalArgumentException("option code " + code + " is not 1-254");
        }
        Objects.requireNonNull(data, "data");
    }
}
