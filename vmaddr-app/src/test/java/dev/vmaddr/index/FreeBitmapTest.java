package dev.vmaddr.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FreeBitmapTest {

    /** Against java.util.BitSet as the model: random set/clear, then every nextFree answer agrees. */
    @Property(tries = 200)
    void agreesWithBitSet(@ForAll @IntRange(min = 1, max = 300_000) int size,
                          @ForAll @Size(max = 400) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> ops) {
        FreeBitmap b = new FreeBitmap(size);
        BitSet model = new BitSet(size);
        model.set(0, size);
        for (int i = 0; i < ops.size(); i++) {
            int pos = ops.get(i) % size;
            // take mostly, so that nearly-full bitmaps are covered too
            if (i % 5 == 4) {
                assertThat(b.setFree(pos)).isEqualTo(!model.get(pos));
                model.set(pos);
            } else {
                assertThat(b.setTaken(pos)).isEqualTo(model.get(pos));
                model.clear(pos);
            }
            int from = ops.get((i * 7) % ops.size()) % size;
            assertThat(b.nextFree(from)).isEqualTo((long) model.nextSetBit(from));
        }
        assertThat(b.freeCount()).isEqualTo(model.cardinality());
    }

    @Test
    void nearlyFullAndWrapping() {
        FreeBitmap b = new FreeBitmap(1 << 16);
        for (int i = 0; i < 1 << 16; i++) {
            b.setTaken(i);
        }
        assertThat(b.freeCount()).isZero();
        assertThat(b.nextFreeWrapping(123)).isEqualTo(-1);
        b.setFree(5);
        b.setFree(60_000);
        assertThat(b.nextFreeWrapping(60_001)).isEqualTo(5);
        assertThat(b.nextFreeWrapping(6)).isEqualTo(60_000);
        assertThat(b.nextFree(60_001)).isEqualTo(-1);
    }

    /**
     * A search from the last position with everything after it taken runs off the end of every level;
     * sizes whose levels end exactly at a word boundary (64, 4096, 2^18) end in the zero word past it.
     */
    @Test
    void searchesRunOffTheEndOfEveryLevel() {
        for (int size : new int[] {1, 63, 64, 65, 4096, 4097, 131_061, 1 << 17, 1 << 18}) {
            FreeBitmap b = new FreeBitmap(size);
            for (int i = 0; i < size; i++) {
                b.setTaken(i);
            }
            assertThat(b.nextFree(size - 1)).as("size %d, all taken", size).isEqualTo(-1);
            assertThat(b.nextFreeWrapping(size - 1)).isEqualTo(-1);
            b.setFree(0);
            assertThat(b.nextFree(size - 1)).as("size %d, only 0 free", size).isEqualTo(size == 1 ? 0 : -1);
            assertThat(b.nextFreeWrapping(size - 1)).isZero();
            b.setFree(size - 1);
            assertThat(b.nextFree(size - 1)).isEqualTo(size - 1);
            assertThat(b.nextFree(size)).isEqualTo(-1);
        }
    }

    @Test
    void segmentsMapBothWays() {
        Segments s = new Segments(List.of(new long[] {100, 109}, new long[] {10, 19}, new long[] {15, 30}));
        assertThat(s.size()).isEqualTo(21 + 10);
        assertThat(s.positionOf(10)).isZero();
        assertThat(s.positionOf(30)).isEqualTo(20);
        assertThat(s.positionOf(31)).isEqualTo(-1);
        assertThat(s.positionOf(100)).isEqualTo(21);
        assertThat(s.valueAt(21)).isEqualTo(100);
        assertThat(s.positionOf(5)).isEqualTo(-1);
        for (long p = 0; p < s.size(); p++) {
            assertThat(s.positionOf(s.valueAt(p))).isEqualTo(p);
        }
    }

    @Test
    void expiryQueueOrdersBySecond() {
        ExpiryQueue q = new ExpiryQueue();
        q.add(50, 7);
        q.add(10, 3);
        q.add(30, 9);
        assertThat(q.pollDue(5)).isEqualTo(-1);
        assertThat(q.pollDue(40)).isEqualTo(3);
        assertThat(q.pollDue(40)).isEqualTo(9);
        assertThat(q.pollDue(40)).isEqualTo(-1);
        assertThat(q.pollDue(50)).isEqualTo(7);
        assertThat(q.size()).isZero();
    }
}
