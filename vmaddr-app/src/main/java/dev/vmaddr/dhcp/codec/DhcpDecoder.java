package dev.vmaddr.dhcp.codec;

import dev.vmaddr.addr.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Bytes to {@link DhcpMessage}. Stateless and thread-safe. Any input either decodes or raises
 * {@link MalformedPacketException} with a reason; nothing else escapes (the fuzz test holds it to that).
 *
 * <p>Options are read from the options field, then (when option 52 says so) from {@code file} and then
 * {@code sname}, in that order (RFC 2131 4.1, RFC 3396 section 5). An option 52 found inside file or
 * sname is ignored, so overload cannot loop. A code that appears more than once is one long option whose
 * pieces are concatenated (RFC 3396). A missing END is tolerated; pad bytes are skipped.
 *
 * <p>{@link #forOneThread()} makes a decoder that reuses its option scan's working arrays from one
 * decode to the next: for a receive loop that decodes every packet on one thread (the DHCP server's
 * receiver), where those arrays were a tenth of the bytes allocated per request. That decoder is not
 * thread-safe; the default one is.
 */
public final class DhcpDecoder {
    static final int HEADER_LENGTH = 236;
    static final int MAGIC_COOKIE = 0x63825363;
    static final int SNAME_OFFSET = 44;
    static final int FILE_OFFSET = 108;
    static final int OPTIONS_OFFSET = 240;

    /** Non-null only in a decoder for one thread: its scan, reset at each decode. */
    private final OptionScan reused;

    /** A stateless, thread-safe decoder. */
    public DhcpDecoder() {
        this.reused = null;
    }

    private DhcpDecoder(OptionScan reused) {
        this.reused = reused;
    }

    /** A decoder that only its owner thread may use; it keeps its working arrays between decodes. */
    public static DhcpDecoder forOneThread() {
        return new DhcpDecoder(new OptionScan());
    }

    public DhcpMessage decode(byte[] packet) throws MalformedPacketException {
        return decode(packet, 0, packet.length);
    }

    /** Decodes the remaining bytes of {@code buffer} without moving its position. */
    public DhcpMessage decode(ByteBuffer buffer) throws MalformedPacketException {
        if (buffer.hasArray()) {
            return decode(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return decode(copy, 0, copy.length);
    }

    public DhcpMessage decode(byte[] b, int offset, int length) throws MalformedPacketException {
        if (offset < 0 || length < 0 || offset + length > b.length) {
            throw new MalformedPacketException("offset " + offset + " length " + length + " outside buffer of " + b.length);
        }
        if (length < HEADER_LENGTH) {
            throw new MalformedPacketException("truncated header: " + length + " bytes, need " + HEADER_LENGTH);
        }
        if (length < OPTIONS_OFFSET || int32(b, offset + HEADER_LENGTH) != MAGIC_COOKIE) {
            throw new MalformedPacketException("no DHCP magic cookie (BOOTP without options is not served)");
        }
        int op = b[offset] & 0xFF;
        if (op != DhcpMessage.BOOTREQUEST && op != DhcpMessage.BOOTREPLY) {
            throw new MalformedPacketException("op " + op + " is neither BOOTREQUEST nor BOOTREPLY");
        }
        int hlen = b[offset + 2] & 0xFF;
        if (hlen > 16) {
            throw new MalformedPacketException("hlen " + hlen + " exceeds the 16-byte chaddr field");
        }
        OptionScan scan = (reused == null ? new OptionScan() : reused).reset(b);
        scan.region(offset + OPTIONS_OFFSET, offset + length, true);
        int overload = scan.overload();
        boolean fileUsed = (overload & 1) != 0;
        boolean snameUsed = (overload & 2) != 0;
        if (fileUsed) {
            scan.region(offset + FILE_OFFSET, offset + HEADER_LENGTH, false);
        }
        if (snameUsed) {
            scan.region(offset + SNAME_OFFSET, offset + FILE_OFFSET, false);
        }
        DhcpOptions options = scan.build();
        return new DhcpMessage(op, b[offset + 1] & 0xFF, hlen, b[offset + 3] & 0xFF, int32(b, offset + 4),
                uint16(b, offset + 8), uint16(b, offset + 10),
                address(int32(b, offset + 12)), address(int32(b, offset + 16)),
                address(int32(b, offset + 20)), address(int32(b, offset + 24)),
                Octets.of(b, offset + 28, hlen),
                snameUsed ? Octets.EMPTY : trimmed(b, offset + SNAME_OFFSET, 64),
                fileUsed ? Octets.EMPTY : trimmed(b, offset + FILE_OFFSET, 128),
                options);
    }

    /** 0.0.0.0 is the shared constant: most of a request's four address fields are zero. */
    private static Ipv4Address address(int value) {
        return value == 0 ? Ipv4Address.ANY : new Ipv4Address(value);
    }

    private static Octets trimmed(byte[] b, int from, int size) {
        int end = from + size;
        while (end > from && b[end - 1] == 0) {
            end--;
        }
        return Octets.of(b, from, end - from);
    }

    static int int32(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    static int uint16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    /**
     * Records where each option piece lies, then concatenates the pieces per code. One per decode,
     * or one per {@link #forOneThread()} decoder, {@link #reset} before each. Per-code state lives in
     * arrays sized by the options actually present (a packet has a dozen or so; they grow, and stay
     * grown, for the rare packet with more).
     */
    private static final class OptionScan {
        private byte[] b;
        private int[] codes = new int[16];               // per slot, in first-seen order
        private int[] totalLength = new int[16];         // per slot
        private int distinct;
        private int[] pieces = new int[48]; // triples: slot, offset, length
        private int pieceCount;

        OptionScan reset(byte[] packet) {
            this.b = packet;
            Arrays.fill(totalLength, 0, distinct, 0);
            distinct = 0;
            pieceCount = 0;
            return this;
        }

        void region(int from, int end, boolean mayOverload) throws MalformedPacketException {
            int i = from;
            while (i < end) {
                int code = b[i] & 0xFF;
                if (code == OptionCodes.END) {
                    return;
                }
                if (code == OptionCodes.PAD) {
                    i++;
                    continue;
                }
                if (i + 1 >= end) {
                    throw new MalformedPacketException("option " + code + " at byte " + i + " has no length byte");
                }
                int len = b[i + 1] & 0xFF;
                if (i + 2 + len > end) {
                    throw new MalformedPacketException("option " + code + " length " + len + " exceeds the "
                            + (end - i - 2) + " bytes left");
                }
                if (code != OptionCodes.OVERLOAD || mayOverload) {
                    add(code, i + 2, len);
                }
                i += 2 + len;
            }
        }

        /** Linear: a message has a handful of distinct codes (a 256-entry table per decode was garbage). */
        private int slotOf(int code) {
            for (int k = 0; k < distinct; k++) {
                if (codes[k] == code) {
                    return k;
                }
            }
            return -1;
        }

        private void add(int code, int offset, int len) {
            int slot = slotOf(code);
            if (slot < 0) {
                slot = distinct++;
                if (slot == codes.length) {
                    codes = Arrays.copyOf(codes, slot * 2);
                    totalLength = Arrays.copyOf(totalLength, slot * 2);
                }
                codes[slot] = code;
            }
            totalLength[slot] += len;
            if (pieceCount * 3 == pieces.length) {
                pieces = Arrays.copyOf(pieces, pieces.length * 2);
            }
            pieces[pieceCount * 3] = slot;
            pieces[pieceCount * 3 + 1] = offset;
            pieces[pieceCount * 3 + 2] = len;
            pieceCount++;
        }

        int overload() throws MalformedPacketException {
            int slot = slotOf(OptionCodes.OVERLOAD);
            if (slot < 0) {
                return 0;
            }
            if (totalLength[slot] != 1) {
                throw new MalformedPacketException("option 52 length " + totalLength[slot] + ", expected 1");
            }
            for (int p = 0; p < pieceCount; p++) {
                if (pieces[p * 3] == slot && pieces[p * 3 + 2] == 1) {
                    int v = b[pieces[p * 3 + 1]] & 0xFF;
                    if (v < 1 || v > 3) {
                        throw new MalformedPacketException("option 52 value " + v + " is not 1, 2 or 3");
                    }
                    return v;
                }
            }
            throw new AssertionError("option 52 seen but no piece recorded");
        }

        DhcpOptions build() throws MalformedPacketException {
            DhcpOption[] out = new DhcpOption[distinct];
            for (int k = 0; k < distinct; k++) {
                int code = codes[k];
                // The value's pieces, concatenated in order (almost always exactly one piece).
                byte[] value = new byte[totalLength[k]];
                int filled = 0;
                for (int p = 0; p < pieceCount && filled < value.length; p++) {
                    if (pieces[p * 3] == k) {
                        int len = pieces[p * 3 + 2];
                        System.arraycopy(b, pieces[p * 3 + 1], value, filled, len);
                        filled += len;
                    }
                }
                Octets data = Octets.wrap(value);
                String problem = OptionRules.check(code, data);
                if (problem != null) {
                    throw new MalformedPacketException(problem);
                }
                out[k] = new DhcpOption(code, data);
            }
            return DhcpOptions.ofChecked(out);
        }
    }
}
