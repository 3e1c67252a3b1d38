package dev.vmaddr.index;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FreedQueueTest {
    @Test
    void theHeadIsTheFreePositionFreedLongestAgoAndStaleEntriesAreSkipped() {
        FreedQueue q = new FreedQueue(10);
        Set<Long> free = new HashSet<>();
        assertThat(q.used(3)).isFalse();
        q.freed(3, 3000);
        q.freed(7, 1000);
        q.freed(5, 2000);
        free.addAll(Set.of(3L, 5L, 7L));
        assertThat(q.peek(free::contains)).isEqualTo(7);
        assertThat(q.peek(free::contains)).as("left at the head until taken").isEqualTo(7);
        free.remove(7L); // taken
        assertThat(q.peek(free::contains)).isEqualTo(5);
        q.freed(5, 4000); // taken and freed again later: its old entry is stale
        assertThat(q.peek(free::contains)).isEqualTo(3);
        free.remove(3L);
        assertThat(q.peek(free::contains)).isEqualTo(5);
        assertThat(q.lastFreed(5)).isEqualTo(4000);
        free.remove(5L);
        assertThat(q.peek(free::contains)).isEqualTo(-1);
        // an offer on a used position dropped: back at its old time, ahead of later ones
        q.freed(1, 5000);
        free.add(1L);
        free.add(5L);
        q.requeue(5);
        assertThat(q.peek(free::contains)).isEqualTo(5);
    }

    @Test
    void churnOnFewPositionsKeepsTheHeapBounded() {
        FreedQueue q = new FreedQueue(4);
        for (int i = 1; i <= 100_000; i++) {
            q.freed(i % 4, i);
            q.requeue(i % 4);
        }
        assertThat(q.entries()).isLessThanOrEqualTo(2 * 4 + 64 + 1);
        assertThat(q.peek(p -> true)).isEqualTo(1); // 99,997 % 4: the oldest of the last four frees
        assertThat(q.lastFreed(1)).isEqualTo(99_997);
    }
}
