package dev.vmaddr.dhcp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pacer's schedule on a fake clock whose sleeps advance it: logic, not timing. */
class ReplyPacerTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AtomicLong slept = new AtomicLong();

    private ReplyPacer pacer(int perSecond, int burst) {
        return new ReplyPacer(perSecond, burst, clock::get, nanos -> {
            slept.addAndGet(nanos);
            clock.addAndGet(nanos);
        });
    }

    @Test
    void steadyTrafficBelowTheRateNeverWaits() {
        ReplyPacer p = pacer(50_000, 128);
        for (int i = 0; i < 10_000; i++) {
            p.pace();
            clock.addAndGet(25_000); // 40,000/s
        }
        assertThat(slept.get()).isZero();
    }

    @Test
    void aBurstPassesUpToItsSizeThenLeavesAtTheRate() {
        ReplyPacer p = pacer(50_000, 128); // one reply per 20 us
        long start = clock.get();
        for (int i = 0; i < 128; i++) {
            p.pace();
        }
        assertThat(slept.get()).as("the first 128 of a burst").isZero();
        for (int i = 0; i < 872; i++) {
            p.pace();
        }
        // 872 paced replies at 20 us: 17.44 ms; sleeps under 200 us are carried, not taken
        assertThat(clock.get() - start).isBetween(17_440_000L - 200_000L, 17_440_000L);
    }

    @Test
    void idleTimeBuysAtMostOneBurstOfCredit() {
        ReplyPacer p = pacer(50_000, 10);
        clock.addAndGet(60_000_000_000L); // a minute of silence
        long start = clock.get();
        for (int i = 0; i < 110; i++) {
            p.pace();
        }
        assertThat(clock.get() - start).isBetween(2_000_000L - 200_000L, 2_000_000L);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> pacer(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pacer(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
