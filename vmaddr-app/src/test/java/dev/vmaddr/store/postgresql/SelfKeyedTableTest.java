package dev.vmaddr.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** {@link SelfKeyedTable#reserveInSlotOrder}: the bulk load's write order. */
class SelfKeyedTableTest {
    /** A table of boxed longs, each its own key. */
    private static final class Longs extends SelfKeyedTable {
        @Override
        long keyOf(Object value) {
            return (Long) value;
        }
    }

    /**
     * The order is a permutation that visits home slots front to back and keeps the given order among
     * keys of one home (duplicates and collisions included): the comparison sort it replaced, whose
     * keys were {@code home << 32 | index}.
     */
    @Property(tries = 300)
    void theOrderIsByHomeSlotThenByPosition(@ForAll @Size(max = 3000) List<@LongRange(min = -50, max = 5000) Long> keys,
                                            @ForAll @IntRange(max = 40) int alreadyHeld) {
        Longs table = new Longs();
        for (long k = 0; k < alreadyHeld; k++) {
            table.put(-1_000_000 - k);
        }
        long[] raw = keys.stream().mapToLong(Long::longValue).toArray();
        int[] order = table.reserveInSlotOrder(raw, raw.length);

        assertThat(table.capacity() * 0.7).isGreaterThanOrEqualTo(alreadyHeld + raw.length);
        int mask = table.capacity() - 1;
        long[] sorted = new long[raw.length];
        for (int i = 0; i < raw.length; i++) {
            sorted[i] = (long) SelfKeyedTable.home(raw[i], mask) << 32 | i;
        }
        Arrays.sort(sorted);
        int[] expected = Arrays.stream(sorted).mapToInt(v -> (int) v).toArray();
        assertThat(order).containsExactly(expected);
    }

    @Property(tries = 50)
    void storingInThatOrderFindsEveryKey(@ForAll @Size(max = 2000) List<@LongRange(min = 0, max = 100_000) Long> keys) {
        long[] raw = keys.stream().mapToLong(Long::longValue).distinct().toArray();
        Longs table = new Longs();
        for (int i : table.reserveInSlotOrder(raw, raw.length)) {
            table.store(table.find(raw[i]), raw[i]);
        }
        assertThat(table.size()).isEqualTo(raw.length);
        for (long k : raw) {
            assertThat(table.get(k)).isEqualTo(k);
        }
    }
}
