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
