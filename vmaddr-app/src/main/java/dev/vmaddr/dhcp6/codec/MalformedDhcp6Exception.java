package dev.vmaddr.dhcp6.codec;

/** A datagram that is not a well-formed DHCPv6 message; the message says what is wrong. */
public final class MalformedDhcp6Exception extends Exception {
    public MalformedDhcp6Exception(String message) {
        super(message, null, false, false); // counted and dropped on the packet path: no stack trace
    }
}
