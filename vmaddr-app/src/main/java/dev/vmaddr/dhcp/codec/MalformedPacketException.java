package dev.vmaddr.dhcp.codec;

/**
 * A datagram that is not a DHCP message we can read. The only exception {@link DhcpDecoder} throws;
 * checked so that the receive loop has to count it rather than let it escape.
 */
public final class MalformedPacketException extends Exception {
    private final String reason;

    public MalformedPacketException(String reason) {
        // No stack trace: malformed input is routine under fuzzing or attack, and the reason says it all.
        super(reason, null, false, false);
        this.reason = reason;
    }

    /** A short text naming the field and the problem, e.g. "option 50 length 3, expected 4". */
    public String reason() {
        return reason;
    }
}
