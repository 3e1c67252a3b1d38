package dev.vmaddr.dhcp.codec;

import static dev.vmaddr.dhcp.codec.DhcpDecoder.FILE_OFFSET;
import static dev.vmaddr.dhcp.codec.DhcpDecoder.HEADER_LENGTH;
import static dev.vmaddr.dhcp.codec.DhcpDecoder.MAGIC_COOKIE;
import static dev.vmaddr.dhcp.codec.DhcpDecoder.OPTIONS_OFFSET;
import static dev.vmaddr.dhcp.codec.DhcpDecoder.SNAME_OFFSET;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * {@link DhcpMessage} to bytes, into a caller-provided array or buffer (the server reuses one per
 * thread). Stateless and thread-safe.
 *
 * <p>Size: the client's maximum message size (option 57, RFC 2132 9.10) counts the IP and UDP headers,
 * so the DHCP payload may be that minus 28; below 576 (the RFC 2131 minimum every client accepts)
 * 576 is used. Options longer than 255 bytes are split into pieces of the same code (RFC 3396). When
 * the options field is too small, options overflow into {@code file} then {@code sname} (option 52)
 * if those fields are empty; whatever still does not fit is dropped, lowest priority first
 * ({@link #priority}). The message is zero-padded to the 300-byte BOOTP minimum (RFC 1542 2.1). Any
 * option 52 in the message is ignored: overload is a layout decision made here.
 */
public final class DhcpEncoder {
    public static final int MIN_MESSAGE_SIZE = 576;
    public static final int IP_UDP_HEADERS = 28;
    public static final int BOOTP_MIN_LENGTH = 300;
    private static final int FILE_CAPACITY = 128 - 1;  // END takes one byte
    private static final int SNAME_CAPACITY = 64 - 1;
    private static final int OVERLOAD_OPTION_SIZE = 3;

    /** Largest DHCP payload for a client that announced {@code maxMessageSize} (0 or less: none announced). */
    public static int payloadLimit(int maxMessageSize) {
        return Math.max(MIN_MESSAGE_SIZE, maxMessageSize) - IP_UDP_HEADERS;
    }

    /** Encodes with the RFC minimum size limit (576), into a new array. */
    public byte[] encode(DhcpMessage m) {
        return encode(m, MIN_MESSAGE_SIZE);
    }

    public byte[] encode(DhcpMessage m, int maxMessageSize) {
        byte[] out = new byte[payloadLimit(maxMessageSize)];
        int n = encode(m, out, 0, maxMessageSize);
        return Arrays.copyOf(out, n);
    }

    /** Writes at the buffer's position and advances it; returns the number of bytes written. */
    public int encode(DhcpMessage m, ByteBuffer out, int maxMessageSize) {
        if (out.hasArray()) {
            int n = encode(m, out.array(), out.arrayOffset() + out.position(),
                    Math.min(payloadLimit(maxMessageSize), out.remaining()), maxMessageSize);
            out.position(out.position() + n);
            return n;
        }
        byte[] tmp = new byte[Math.min(payloadLimit(maxMessageSize), out.remaining())];
        int n = encode(m, tmp, 0, tmp.length, maxMessageSize);
        out.put(tmp, 0, n);
        return n;
    }

    /**
     * Writes {@code m} into {@code out} at {@code offset}; returns the length written. The limit is the
     * smaller of the space left in {@code out} and {@link #payloadLimit(int)}.
     *
     * @throws IllegalArgumentException when {@code out} has less than 300 bytes from {@code offset}
     */
    public int encode(DhcpMessage m, byte[] out, int offset, int maxMessageSize) {
        return encode(m, out, offset, Math.min(payloadLimit(maxMessageSize), out.length - offset), maxMessageSize);
    }

    private int encode(DhcpMessage m, byte[] out, int offset, int limit, int maxMessageSize) {
        if (limit < BOOTP_MIN_LENGTH) {
            throw new IllegalArgumentException("output has room for " + limit + " bytes, a DHCP message needs at least "
                    + BOOTP_MIN_LENGTH);
        }
        int mainCapacity = limit - OPTIONS_OFFSET - 1;
        DhcpOption[] options = m.options().array();
        int end;
        if (fitsInMain(options, mainCapacity)) {
            // The common case, every reply of a normal exchange: all options fit the options field,
            // so the layout (placement by priority, overload into file/sname) would put each in
            // MAIN in message order. Writing them directly is the same bytes without the plan's
            // per-reply arrays, boxed indexes and sort.
            Arrays.fill(out, offset, offset + BOOTP_MIN_LENGTH, (byte) 0);
            writeHeader(m, out, offset, 0);
            end = writeAllMain(options, out, offset + OPTIONS_OFFSET);
        } else {
            Layout layout = Layout.plan(m, mainCapacity);
            Arrays.fill(out, offset, offset + BOOTP_MIN_LENGTH, (byte) 0);
            writeHeader(m, out, offset, layout.overload);
            end = layout.writeRegion(Layout.MAIN, out, offset + OPTIONS_OFFSET);
            if ((layout.overload & 1) != 0) {
                layout.writeRegion(Layout.FILE, out, offset + FILE_OFFSET);
            }
            if ((layout.overload & 2) != 0) {
                layout.writeRegion(Layout.SNAME, out, offset + SNAME_OFFSET);
            }
        }
        int length = end - offset;
        if (length < BOOTP_MIN_LENGTH) {
            Arrays.fill(out, end, offset + BOOTP_MIN_LENGTH, (byte) 0);
            length = BOOTP_MIN_LENGTH;
        }
        return length;
    }

    /** True when every option (but a stray 52, which is never copied) fits the options field whole. */
    private static boolean fitsInMain(DhcpOption[] options, int mainCapacity) {
        int size = 0;
        for (DhcpOption o : options) {
            if (o.code() != OptionCodes.OVERLOAD) {
                size += 2 * Layout.pieceCount(o) + o.data().length();
            }
        }
        return size <= mainCapacity;
    }

    /** {@link Layout#writeRegion} when everything is in MAIN: message order, 82 last (RFC 3046 2.1), then END. */
    private static int writeAllMain(DhcpOption[] options, byte[] out, int at) {
        DhcpOption relayAgent = null;
        for (DhcpOption o : options) {
            if (o.code() == OptionCodes.RELAY_AGENT_INFO) {
                relayAgent = o;
            } else if (o.code() != OptionCodes.OVERLOAD) {
                at = writeWhole(o, out, at);
            }
        }
        if (relayAgent != null) {
            at = writeWhole(relayAgent, out, at);
        }
        out[at++] = (byte) OptionCodes.END;
        return at;
    }

    private static int writeWhole(DhcpOption o, byte[] out, int at) {
        for (int k = 0; k < Layout.pieceCount(o); k++) {
            int len = Layout.pieceLength(o, k);
            out[at] = (byte) o.code();
            out[at + 1] = (byte) len;
            o.data().copyTo(k * 255, out, at + 2, len);
            at += 2 + len;
        }
        return at;
    }

    private static void writeHeader(DhcpMessage m, byte[] out, int o, int overload) {
        out[o] = (byte) m.op();
        out[o + 1] = (byte) m.htype();
        out[o + 2] = (byte) m.hlen();
        out[o + 3] = (byte) m.hops();
        int32(out, o + 4, m.xid());
        out[o + 8] = (byte) (m.secs() >>> 8);
        out[o + 9] = (byte) m.secs();
        out[o + 10] = (byte) (m.flags() >>> 8);
        out[o + 11] = (byte) m.flags();
        m.ciaddr().writeTo(out, o + 12);
        m.yiaddr().writeTo(out, o + 16);
        m.siaddr().writeTo(out, o + 20);
        m.giaddr().writeTo(out, o + 24);
        m.chaddr().copyTo(out, o + 28);
        if ((overload & 2) == 0) {
            m.sname().copyTo(out, o + SNAME_OFFSET);
        }
        if ((overload & 1) == 0) {
            m.file().copyTo(out, o + FILE_OFFSET);
        }
        int32(out, o + HEADER_LENGTH, MAGIC_COOKIE);
    }

    static void int32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    /** Lower is more important: kept first when space runs out. */
    static int priority(int code) {
        return switch (code) {
            case OptionCodes.MESSAGE_TYPE -> 0;
            case OptionCodes.SERVER_ID -> 1;
            case OptionCodes.LEASE_TIME -> 2;
            case OptionCodes.SUBNET_MASK -> 3;
            case OptionCodes.RELAY_AGENT_INFO -> 4;  // the relay needs it to forward the reply
            case OptionCodes.CLIENT_ID -> 5;
            case OptionCodes.RENEWAL_TIME, OptionCodes.REBINDING_TIME -> 6;
            case OptionCodes.ROUTERS, OptionCodes.CLASSLESS_ROUTES -> 7;
            case OptionCodes.DNS_SERVERS -> 8;
            case OptionCodes.MESSAGE -> 9;
            case OptionCodes.BROADCAST_ADDRESS, OptionCodes.INTERFACE_MTU -> 10;
            case OptionCodes.DOMAIN_NAME, OptionCodes.HOSTNAME -> 11;
            default -> 20;
        };
    }

    /**
     * Where each piece of each option goes. Pieces of one option stay in region order (options, file,
     * sname) so the receiver's concatenation restores the value.
     */
    private static final class Layout {
        static final int MAIN = 0;
        static final int FILE = 1;
        static final int SNAME = 2;

        final DhcpOption[] options; // in the message's order; written in this order, 82 last
        final Integer[] placementOrder; // indexes into options, most important first
        final int[] region;         // per piece; -1 for a dropped option's pieces
        final int[] firstPiece;     // per option
        int overload;

        private Layout(DhcpOption[] options, int pieces) {
            this.options = options;
            this.region = new int[pieces];
            this.firstPiece = new int[options.length + 1];
            this.placementOrder = new Integer[options.length];
            for (int i = 0; i < options.length; i++) {
                placementOrder[i] = i;
            }
            Arrays.sort(placementOrder, (a, b) -> Integer.compare(priority(options[a].code()), priority(options[b].code())));
        }

        static Layout plan(DhcpMessage m, int mainCapacity) {
            List<DhcpOption> all = m.options().asList();
            DhcpOption[] kept = new DhcpOption[all.size()];
            int n = 0;
            for (DhcpOption o : all) {
                if (o.code() != OptionCodes.OVERLOAD) {
                    kept[n++] = o;
                }
            }
            kept = Arrays.copyOf(kept, n);
            int pieces = 0;
            for (DhcpOption o : kept) {
                pieces += pieceCount(o);
            }
            Layout layout = new Layout(kept, pieces);
            int p = 0;
            for (int i = 0; i < kept.length; i++) {
                layout.firstPiece[i] = p;
                p += pieceCount(kept[i]);
            }
            layout.firstPiece[kept.length] = p;

            int dropped = layout.place(new int[] {mainCapacity, 0, 0});
            if (dropped > 0 && (m.file().isEmpty() || m.sname().isEmpty())) {
                int[] withOverload = {mainCapacity - OVERLOAD_OPTION_SIZE,
                        m.file().isEmpty() ? FILE_CAPACITY : 0, m.sname().isEmpty() ? SNAME_CAPACITY : 0};
                int[] saved = layout.region.clone();
                int droppedWithOverload = layout.place(withOverload);
                int used = layout.usedOverloadRegions();
                if (droppedWithOverload < dropped && used != 0) {
                    layout.overload = used;
                } else {
                    System.arraycopy(saved, 0, layout.region, 0, saved.length);
                }
            }
            return layout;
        }

        static int pieceCount(DhcpOption o) {
            return Math.max(1, (o.data().length() + 254) / 255);
        }

        static int pieceLength(DhcpOption o, int piece) {
            return Math.min(255, o.data().length() - piece * 255);
        }

        /** Greedy first fit, whole options only; returns the number of options dropped. */
        int place(int[] capacity) {
            int dropped = 0;
            for (int i : placementOrder) {
                int[] before = capacity.clone();
                int r = 0;
                boolean fits = true;
                for (int k = 0; k < pieceCount(options[i]); k++) {
                    int size = 2 + pieceLength(options[i], k);
                    while (r < capacity.length && capacity[r] < size) {
                        r++;
                    }
                    if (r == capacity.length) {
                        fits = false;
                        break;
                    }
                    capacity[r] -= size;
                    region[firstPiece[i] + k] = r;
                }
                if (!fits) {
                    System.arraycopy(before, 0, capacity, 0, capacity.length);
                    Arrays.fill(region, firstPiece[i], firstPiece[i + 1], -1);
                    dropped++;
                }
            }
            return dropped;
        }

        int usedOverloadRegions() {
            int bits = 0;
            for (int r : region) {
                bits |= r == FILE ? 1 : r == SNAME ? 2 : 0;
            }
            return bits;
        }

        /** Writes the pieces of region {@code r} then END; returns the index after END. */
        int writeRegion(int r, byte[] out, int at) {
            if (r == MAIN && overload != 0) {
                out[at++] = (byte) OptionCodes.OVERLOAD;
                out[at++] = 1;
                out[at++] = (byte) overload;
            }
            int relayAgent = -1;
            for (int i = 0; i < options.length; i++) {
                if (options[i].code() == OptionCodes.RELAY_AGENT_INFO) {
                    relayAgent = i;  // RFC 3046 2.1: the relay agent option goes last
                    continue;
                }
                at = writePieces(i, r, out, at);
            }
            if (relayAgent >= 0) {
                at = writePieces(relayAgent, r, out, at);
            }
            out[at++] = (byte) OptionCodes.END; // file and sname were zeroed with the header
            return at;
        }

        private int writePieces(int i, int r, byte[] out, int at) {
            DhcpOption o = options[i];
            for (int k = 0; k < pieceCount(o); k++) {
                if (region[firstPiece[i] + k] != r) {
                    continue;
                }
                int len = pieceLength(o, k);
                out[at] = (byte) o.code();
                out[at + 1] = (byte) len;
                o.data().copyTo(k * 255, out, at + 2, len);
                at += 2 + len;
            }
            return at;
        }
    }
}
