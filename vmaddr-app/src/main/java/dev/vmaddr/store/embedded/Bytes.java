package dev.vmaddr.store.embedded;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable big-endian byte buffer for encoding records without intermediate objects. */
final class Bytes {
    byte[] buf;
    int len;

    Bytes(int capacity) {
        buf = new byte[capacity];
    }

    /** Buffers {@link #profileGrowth} grows: enough for the profiling tier to see the growth many times (C2 compiles at ~5,000 calls). */
    private static final int PROFILE_ROUNDS = 12_000;

    /**
     * Grows small scratch buffers many times, so that the JIT's profile of {@link #ensure} holds its
     * growth branch (a profile belongs to the method, not to a buffer); returns the bytes written.
     * On the request path a buffer grows rarely: the open batch's 128 KiB only after a stall (a slow
     * fsync, a young collection) let more than ~1,000 records gather. Then the compiled append path
     * trapped on the branch it had never seen (JFR, a fresh server's first window at 20,000 DORA/s:
     * {@code Bytes.ensure} inlined in {@code GroupCommitLog.appendLocked} on the DHCP receiver) and was
     * compiled again while the clients came. Run once, when the embedded store's class is initialized; a
     * few hundred microseconds.
     */
    static long profileGrowth() {
        long written = 0;
        for (int i = 0; i < PROFILE_ROUNDS; i++) {
            Bytes b = new Bytes(8);
            b.i64(i);
            b.i64(i); // outgrows the 8 bytes
            written += b.len;
        }
        return written;
    }

    void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    void u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    void i32(int v) {
        ensure(4);
        putInt(buf, len, v);
        len += 4;
    }

    void i64(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[len++] = (byte) (v >>> (i * 8));
        }
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    /** Length-prefixed (int) byte array; -1 for null. */
    void blob(byte[] b) {
        if (b == null) {
            i32(-1);
        } else {
            i32(b.length);
            bytes(b);
        }
    }

    /** Length-prefixed UTF-8 string; -1 for null. */
    void str(String s) {
        blob(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] blob(ByteBuffer in) {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("bad length " + n);
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    static String str(ByteBuffer in) {
        byte[] b = blob(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    void reset() {
        len = 0;
    }
}
