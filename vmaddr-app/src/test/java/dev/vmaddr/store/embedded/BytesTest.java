package dev.vmaddr.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The growable buffer: growing keeps what was written, and the profile warm-up takes the growth branch every round. */
class BytesTest {
    @Test
    void growingKeepsWhatWasWrittenInOrder() {
        Bytes b = new Bytes(8);
        b.i64(0x0102_0304_0506_0708L);
        b.i64(-2L); // past the first 8 bytes: the buffer grows
        b.i32(7);

        assertThat(b.len).isEqualTo(20);
        assertThat(b.buf.length).isGreaterThanOrEqualTo(20);
        ByteBuffer read = ByteBuffer.wrap(b.buf, 0, b.len);
        assertThat(read.getLong()).isEqualTo(0x0102_0304_0506_0708L);
        assertThat(read.getLong()).isEqualTo(-2L);
        assertThat(read.getInt()).isEqualTo(7);
    }

    @Test
    void theProfileWarmUpGrowsEveryBufferItWrites() {
        // 16 bytes into buffers of 8 each round: the growth branch taken every time
        assertThat(Bytes.profileGrowth()).isEqualTo(16L * 12_000);
    }
}
