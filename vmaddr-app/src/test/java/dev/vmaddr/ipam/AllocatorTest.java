package dev.vmaddr.ipam;

import dev.vmaddr.index.FreeBitmap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The free-index strategy on its own: what it proposes, without the engine's checks. */
class AllocatorTest {
    static final int SIZE = 1024;

    @Test
    void proposesOnlyFreePositionsAndEachFreeOneOnceBeforeRunningOut() {
        FreeBitmap free = new FreeBitmap(SIZE);
        for (long pos = 0; pos < SIZE; pos += 3) {
            free.setTaken(pos);
        }
        long freeBefore = free.freeCount();
        Allocator.Search search = new RandomStartAllocator(new SplittableRandom(1), -1).search(free);
        Set<Long> proposed = new HashSet<>();
        long pos;
        while ((pos = search.next()) >= 0) {
            assertThat(pos % 3).as("position %d was taken", pos).isNotZero();
            assertThat(proposed.add(pos)).as("position %d proposed twice", pos).isTrue();
            free.setTaken(pos); // what the engine does with a stale candidate before asking for the next
        }
        assertThat((long) proposed.size()).isEqualTo(freeBefore);
    }

    @Test
    void aFullIndexHasNoCandidate() {
        FreeBitmap free = new FreeBitmap(8);
        for (long pos = 0; pos < 8; pos++) {
            free.setTaken(pos);
        }
        assertThat(new RandomStartAllocator(new SplittableRandom(1), -1).search(free).next()).isEqualTo(-1);
    }

    @Test
    void aSingleServerStartsAnywhere() {
        Set<Long> starts = new HashSet<>();
        for (int seed = 0; seed < 200; seed++) {
            starts.add(firstProposal(new RandomStartAllocator(new SplittableRandom(seed), -1)));
        }
        // 200 starts over 1,024 positions: far more than one stripe's worth of different ones
        assertThat(starts).hasSizeGreaterThan(SIZE / RandomStartAllocator.STRIPES);
    }

    @Test
    void serversSharingTheStoreStartInTheirOwnStripes() {
        int servers = 4;
        long stripe = SIZE / RandomStartAllocator.STRIPES;
        List<Set<Long>> startsOf = new ArrayList<>();
        for (int server = 0; server < servers; server++) {
            startsOf.add(new HashSet<>());
            long point = (long) ((server * 0.6180339887498949) % 1.0 * SIZE);
            for (int seed = 0; seed < 100; seed++) {
                long start = firstProposal(new RandomStartAllocator(new SplittableRandom(seed), server));
                assertThat(Math.floorMod(start - point, (long) SIZE)).as("server %d started at %d", server, start)
                        .isLessThan(stripe);
                startsOf.get(server).add(start);
            }
        }
        for (int a = 0; a < servers; a++) {
            for (int b = a + 1; b < servers; b++) {
                assertThat(startsOf.get(a)).as("servers %d and %d", a, b).doesNotContainAnyElementsOf(startsOf.get(b));
            }
        }
    }

    private static long firstProposal(Allocator allocator) {
        return allocator.search(new FreeBitmap(SIZE)).next();
    }
}
