package dev.vmaddr.store.embedded;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The frame around every record in logs and snapshots:
 * {@code [int payload length][int CRC32C][long sequence][payload]}, big-endian. The CRC covers the
 * length, the sequence and the payload, so a torn write, a zero-filled tail, flipped bits or a
 * record from another position are all caught.
 */
final class Frames {
    static final int HEADER = 16;
    /** Larger lengths are corruption: no record comes near this. */
    static final int MAX_PAYLOAD = 16 << 20;

    private Frames() {}

    /** Appends one frame around {@code payload[0, len)} to {@code out}. */
    static void append(Bytes out, long seq, byte[] payload, int len) {
        append(out, seq, payload, 0, len);
    }

    /** Appends one frame around {@code payload[off, off + len)} to {@code out}. */
    static void append(Bytes out, long seq, byte[] payload, int off, int len) {
        out.ensure(HEADER + len);
        int start = out.len;
        byte[] b = out.buf;
        Bytes.putInt(b, start, len);
        for (int i = 0; i < 8; i++) {
            b[start + 8 + i] = (byte) (seq >>> (56 - i * 8));
        }
        System.arraycopy(payload, off, b, start + HEADER, len);
        Bytes.putInt(b, start + 4, crc(b, start, len));
        out.len = start + HEADER + len;
    }

    private static int crc(byte[] frame, int start, int len) {
        CRC32C crc = new CRC32C();
        crc.update(frame, start, 4);
        crc.update(frame, start + 8, 8 + len);
        return (int) crc.getValue();
    }

    /** Outcome of reading the frame at the buffer's position. */
    sealed interface Read {}

    record Good(long seq, ByteBuffer payload, long end) implements Read {}

    record End() implements Read {}

    record Bad(String reason) implements Read {}

    private static boolean zerosFrom(ByteBuffer in, int start) {
        for (int i = start; i < in.limit(); i++) {
            if (in.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads the frame at {@code in.position()}; on {@link Good} the position moves past it, otherwise
     * it stays at the start of the bad frame.
     */
    static Read next(ByteBuffer in) {
        int start = in.position();
        int remaining = in.remaining();
        if (remaining == 0) {
            return new End();
        }
        if (remaining < HEADER) {
            if (zerosFrom(in, start)) {
                return new End();
            }
            return new Bad("short header (" + remaining + " bytes)");
        }
        int len = in.getInt(start);
        if (len == 0 && zerosFrom(in, start)) {
            return new End(); // preallocated space after the last record
        }
        if (len <= 0 || len > MAX_PAYLOAD) {
            return new Bad("bad length " + len);
        }
        if (len > remaining - HEADER) {
            return new Bad("short record (length " + len + ", " + (remaining - HEADER) + " bytes left)");
        }
        int storedCrc = in.getInt(start + 4);
        CRC32C crc = new CRC32C();
        crc.update(in.slice(start, 4));
        crc.update(in.slice(start + 8, 8 + len));
        if ((int) crc.getValue() != storedCrc) {
            return new Bad("checksum mismatch");
        }
        long seq = in.getLong(start + 8);
        ByteBuffer payload = in.slice(start + HEADER, len);
        in.position(start + HEADER + len);
        return new Good(seq, payload, in.position());
    }
}
