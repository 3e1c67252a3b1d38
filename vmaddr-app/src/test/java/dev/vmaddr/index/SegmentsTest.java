package dev.vmaddr.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link Segments} against the plain model: the sorted set of every value in the ranges. */
class SegmentsTest {
    @Property(tries = 300)
    void positionsNumberTheValuesOfTheRangesDensely(@ForAll @Size(min = 1, max = 8) List<@IntRange(max = 300) Integer> starts,
                                                   @ForAll @Size(min = 8, max = 8) List<@IntRange(max = 40) Integer> lengths) {
        List<long[]> ranges = new ArrayList<>();
        TreeSet<Long> values = new TreeSet<>();
        for (int i = 0; i < starts.size(); i++) {
            long first = starts.get(i);
            long last = first + lengths.get(i);
            ranges.add(new long[] {first, last});
            for (long v = first; v <= last; v++) {
                values.add(v);
            }
        }
        Segments segments = new Segments(ranges);
        assertThat(segments.size()).isEqualTo(values.size());
        List<Long> ordered = new ArrayList<>(values);
        for (int p = 0; p < ordered.size(); p++) {
            assertThat(segments.valueAt(p)).isEqualTo(ordered.get(p));
        }
        for (long v = -2; v <= 345; v++) {
            assertThat(segments.positionOf(v)).as("value %d", v)
                    .isEqualTo(values.contains(v) ? (long) values.headSet(v).size() : -1L);
        }
    }
}
