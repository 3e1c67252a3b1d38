package dev.vmaddr.dhcp6.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * DHCPv6 on the wire (RFC 8415 8, 9, 21): messages, relay messages, the option list and the
 * encapsulated options of IA_NA (21.4), IAADDR (21.6) and status codes (21.13). Decoding checks every
 * length against what is left and throws {@link MalformedDhcp6Exception}, never anything else.
 */
public final class Dhcp6Codec {
    /** Option nesting a server will follow (relay in relay in ...): RFC 8415's hop limit plus slack. */
    private static final int MAX_RELAY_DEPTH = Dhcp6Codes.HOP_COUNT_LIMIT + 2;

    private Dhcp6Codec() {}

    public static Dhcp6Message decode(byte[] b) throws MalformedDhcp6Exception {
        return decode(b, 0, b.length, 0);
    }

    private static Dhcp6Message decode(byte[] b, int from, int to, int depth) throws MalformedDhcp6Exception {
        if (to - from < 4) {
            throw new MalformedDhcp6Exception("shorter than a DHCPv6 header (" + (to - from) + " bytes)");
        }
        int type = b[from] & 0xFF;
        if (type == Dhcp6Codes.RELAY_FORW || type == Dhcp6Codes.RELAY_REPL) {
            if (to - from < 34) {
                throw new MalformedDhcp6Exception("relay message shorter than its 34-byte header");
            }
            if (depth > MAX_RELAY_DEPTH) {
                throw new MalformedDhcp6Exception("relay messages nested deeper than " + MAX_RELAY_DEPTH);
            }
            byte[] link = java.util.Arrays.copyOfRange(b, from + 2, from + 18);
            byte[] peer = java.util.Arrays.copyOfRange(b, from + 18, from + 34);
            return Dhcp6Message.relay(type, b[from + 1] & 0xFF, link, peer, options(b, from + 34, to));
        }
        if (type == 0) {
            throw new MalformedDhcp6Exception("message type 0");
        }
        int xid = (b[from + 1] & 0xFF) << 16 | (b[from + 2] & 0xFF) << 8 | (b[from + 3] & 0xFF);
        return Dhcp6Message.of(type, xid, options(b, from + 4, to));
    }

    /** The message inside a relay message's OPTION_RELAY_MSG. */
    public static Dhcp6Message relayed(Dhcp6Message relay, int depth) throws MalformedDhcp6Exception {
        Dhcp6Option o = relay.option(Dhcp6Codes.OPTION_RELAY_MSG);
        if (o == null) {
            throw new MalformedDhcp6Exception("relay message without a relay-message option");
        }
        return decode(o.data(), 0, o.data().length, depth + 1);
    }

    /** Options in {@code b[from, to)}. */
    public static List<Dhcp6Option> options(byte[] b, int from, int to) throws MalformedDhcp6Exception {
        List<Dhcp6Option> out = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (to - at < 4) {
                throw new MalformedDhcp6Exception("option header at " + at + " runs past the end");
            }
            int code = (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
            int len = (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
            if (len > to - at - 4) {
                throw new MalformedDhcp6Exception("option " + code + " of " + len + " bytes runs past the end");
            }
            out.add(new Dhcp6Option(code, java.util.Arrays.copyOfRange(b, at + 4, at + 4 + len)));
            at += 4 + len;
        }
        return out;
    }

    /**
     * The message's bytes. Encoders here size the array first and write into it: no growing buffer and
     * no final copy (an exchange encodes four of them, with IA_NA and IAADDR inside).
     */
    public static byte[] encode(Dhcp6Message m) {
        int header = m.isRelay() ? 34 : 4;
        byte[] out = new byte[header + optionsLength(m.options())];
        out[0] = (byte) m.type();
        if (m.isRelay()) {
            out[1] = (byte) m.hopCount();
            System.arraycopy(m.linkAddress(), 0, out, 2, 16);
            System.arraycopy(m.peerAddress(), 0, out, 18, 16);
        } else {
            out[1] = (byte) (m.transactionId() >>> 16);
            out[2] = (byte) (m.transactionId() >>> 8);
            out[3] = (byte) m.transactionId();
        }
        writeOptions(out, header, m.options());
        return out;
    }

    public static byte[] encodeOptions(List<Dhcp6Option> options) {
        byte[] out = new byte[optionsLength(options)];
        writeOptions(out, 0, options);
        return out;
    }

    private static int optionsLength(List<Dhcp6Option> options) {
        int n = 0;
        for (int i = 0; i < options.size(); i++) {
            n += 4 + options.get(i).data().length;
        }
        return n;
    }

    /** Writes {@code options} at {@code at}; returns where they end. */
    private static int writeOptions(byte[] out, int at, List<Dhcp6Option> options) {
        for (int i = 0; i < options.size(); i++) {
            Dhcp6Option o = options.get(i);
            byte[] d = o.data();
            out[at] = (byte) (o.code() >>> 8);
            out[at + 1] = (byte) o.code();
            out[at + 2] = (byte) (d.length >>> 8);
            out[at + 3] = (byte) d.length;
            System.arraycopy(d, 0, out, at + 4, d.length);
            at += 4 + d.length;
        }
        return at;
    }

    // ---- IA_NA, IAADDR, status code ----

    /** An IA_NA (21.4): its IAID, T1, T2 and the options inside it. */
    public record IaNa(long iaid, long t1, long t2, List<Dhcp6Option> options) {
        public IaNa {
            options = List.copyOf(options);
        }
    }

    /** An IA address (21.6): address (16 bytes), lifetimes and the options inside it. */
    public record IaAddress(byte[] address, long preferred, long valid, List<Dhcp6Option> options) {
        public IaAddress {
            options = List.copyOf(options);
        }
    }

    public static IaNa iaNa(Dhcp6Option o) throws MalformedDhcp6Exception {
        byte[] d = o.data();
        if (d.length < 12) {
            throw new MalformedDhcp6Exception("IA_NA of " + d.length + " bytes, shorter than 12");
        }
        return new IaNa(u32(d, 0), u32(d, 4), u32(d, 8), options(d, 12, d.length));
    }

    public static IaAddress iaAddress(Dhcp6Option o) throws MalformedDhcp6Exception {
        byte[] d = o.data();
        if (d.length < 24) {
            throw new MalformedDhcp6Exception("IAADDR of " + d.length + " bytes, shorter than 24");
        }
        return new IaAddress(java.util.Arrays.copyOf(d, 16), u32(d, 16), u32(d, 20), options(d, 24, d.length));
    }

    public static Dhcp6Option iaNaOption(IaNa ia) {
        byte[] out = new byte[12 + optionsLength(ia.options())];
        int32(out, 0, ia.iaid());
        int32(out, 4, ia.t1());
        int32(out, 8, ia.t2());
        writeOptions(out, 12, ia.options());
        return new Dhcp6Option(Dhcp6Codes.OPTION_IA_NA, out);
    }

    public static Dhcp6Option iaAddressOption(IaAddress a) {
        int n = a.address().length;
        byte[] out = new byte[n + 8 + optionsLength(a.options())];
        System.arraycopy(a.address(), 0, out, 0, n);
        int32(out, n, a.preferred());
        int32(out, n + 4, a.valid());
        writeOptions(out, n + 8, a.options());
        return new Dhcp6Option(Dhcp6Codes.OPTION_IAADDR, out);
    }

    public static Dhcp6Option statusOption(int status, String message) {
        byte[] text = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] d = new byte[2 + text.length];
        d[0] = (byte) (status >>> 8);
        d[1] = (byte) status;
        System.arraycopy(text, 0, d, 2, text.length);
        return new Dhcp6Option(Dhcp6Codes.OPTION_STATUS_CODE, d);
    }

    /** The status code inside a status option; {@link Dhcp6Codes#STATUS_SUCCESS} when absent. */
    public static int status(List<Dhcp6Option> options) {
        for (Dhcp6Option o : options) {
            if (o.code() == Dhcp6Codes.OPTION_STATUS_CODE && o.data().length >= 2) {
                return (o.data()[0] & 0xFF) << 8 | (o.data()[1] & 0xFF);
            }
        }
        return Dhcp6Codes.STATUS_SUCCESS;
    }

    public static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
    }

    private static void int32(byte[] out, int at, long v) {
        out[at] = (byte) (v >>> 24);
        out[at + 1] = (byte) (v >>> 16);
        out[at + 2] = (byte) (v >>> 8);
        out[at + 3] = (byte) v;
    }
}
