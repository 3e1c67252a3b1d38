package dev.vmaddr.dhcp6.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * A DHCPv6 message: a client/server message (RFC 8415 8: type, 24-bit transaction id, options) or a
 * relay message (9: type, hop count, link and peer address, options). Fields of the other kind are 0/null.
 *
 * @param linkAddress 16 bytes for relay messages
 * @param peerAddress 16 bytes for relay messages
 */
public record Dhcp6Message(int type, int transactionId, int hopCount, byte[] linkAddress, byte[] peerAddress,
                           List<Dhcp6Option> options) {
    public Dhcp6Message {
        options = List.copyOf(options);
    }

    public static Dhcp6Message of(int type, int transactionId, List<Dhcp6Option> options) {
        return new Dhcp6Message(type, transactionId, 0, null, null, options);
    }

    public static Dhcp6Message relay(int type, int hopCount, byte[] linkAddress, byte[] peerAddress, List<Dhcp6Option> options) {
        return new Dhcp6Message(type, 0, hopCount, linkAddress, peerAddress, options);
    }

    public boolean isRelay() {
        return type == Dhcp6Codes.RELAY_FORW || type == Dhcp6Codes.RELAY_REPL;
    }

    /** The first option with {@code code}, or null. */
    public Dhcp6Option option(int code) {
        for (Dhcp6Option o : options) {
            if (o.code() == code) {
                return o;
            }
        }
        return null;
    }

    public List<Dhcp6Option> all(int code) {
        List<Dhcp6Option> out = new ArrayList<>();
        for (Dhcp6Option o : options) {
            if (o.code() == code) {
                out.add(o);
            }
        }
        return out;
    }
}
