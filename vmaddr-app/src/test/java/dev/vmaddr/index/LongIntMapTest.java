package dev.vmaddr.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LongIntMap behaves as a HashMap&lt;Long, Integer&gt; under random puts and removes, growth included. */
class LongIntMapTest {

    @Test
    void matchesAHashMapUnderRandomOperations() {
        SplittableRandom r = new SplittableRandom(7);
        LongIntMap map = new LongIntMap(4);
        Map<Long, Integer> model = new HashMap<>();
        for (int n = 0; n < 200_000; n++) {
            long key = r.nextLong(5_000) * 0x1_0000_0001L; // keys that collide in the low bits
            int value = r.nextInt();
            switch (r.nextInt(4)) {
                case 0, 1 -> {
                    map.put(key, value);
                    model.put(key, value);
                }
                case 2 -> {
                    map.remove(key);
                    model.remove(key);
                }
                default -> {
                    // remove only when it still maps to the value asked about (half the time it does)
                    int asked = r.nextBoolean() && model.containsKey(key) ? model.get(key) : value;
                    map.remove(key, asked);
                    model.remove(key, asked);
                }
            }
            assertThat(map.get(key)).isEqualTo(model.containsKey(key) ? (long) model.get(key) : LongIntMap.ABSENT);
        }
        assertThat(map.size()).isEqualTo(model.size());
        for (Map.Entry<Long, Integer> e : model.entrySet()) {
            assertThat(map.get(e.getKey())).isEqualTo((long) e.getValue());
        }
    }
}
