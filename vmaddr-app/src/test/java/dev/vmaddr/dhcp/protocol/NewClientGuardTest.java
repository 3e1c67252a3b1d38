package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.testing.MutableClock;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-interface new-client rate and offers-in-flight cap, on an injected clock. */
class NewClientGuardTest {
    private static final Duration HOLD = Duration.ofSeconds(30);
    private final MutableClock clock = new MutableClock();

    private static MacAddress mac(long n) {
        return new MacAddress(0x02_18_ee_00_00_00L + n);
    }

    @Test
    void burstThenTheRate() {
        NewClientGuard g = new NewClientGuard(new NewClientGuard.Limits(10, 5, 0), HOLD, clock);
        for (int i = 0; i < 5; i++) {
            assertThat(g.admit("br0", mac(i))).isNull();
        }
        assertThat(g.admit("br0", mac(5))).isEqualTo(DropReason.NEW_CLIENT_RATE);
        clock.advance(Duration.ofMillis(99));
        assertThat(g.admit("br0", mac(5))).isEqualTo(DropReason.NEW_CLIENT_RATE);
        clock.advance(Duration.ofMillis(1)); // 100 ms at 10/s: one token
        assertThat(g.admit("br0", mac(5))).isNull();
        assertThat(g.admit("br0", mac(6))).isEqualTo(DropReason.NEW_CLIENT_RATE);
        clock.advance(Duration.ofHours(10)); // a long quiet spell refills to the burst, no more
        for (int i = 0; i < 5; i++) {
            assertThat(g.admit("br0", mac(10 + i))).isNull();
        }
        assertThat(g.admit("br0", mac(20))).isEqualTo(DropReason.NEW_CLIENT_RATE);
    }

    @Test
    void interfacesHaveTheirOwnLimits() {
        NewClientGuard g = new NewClientGuard(new NewClientGuard.Limits(1, 1, 1), HOLD, clock);
        assertThat(g.admit("br0", mac(1))).isNull();
        assertThat(g.admit("br0", mac(2))).isNotNull();
        assertThat(g.admit("br1", mac(2))).isNull();
        assertThat(g.admit(null, mac(3))).isNull(); // relayed / unknown interface: a bucket of its own
    }

    @Test
    void offersInFlightCapFreedByBindOrByTheOfferRunningOut() {
        NewClientGuard g = new NewClientGuard(new NewClientGuard.Limits(0, 0, 2), HOLD, clock);
        assertThat(g.admit("br0", mac(1))).isNull();
        assertThat(g.admit("br0", mac(2))).isNull();
        assertThat(g.admit("br0", mac(3))).isEqualTo(DropReason.OFFERS_IN_FLIGHT);
        assertThat(g.admit("br0", mac(1))).as("a retransmitted DISCOVER keeps its slot").isNull();
        assertThat(g.inFlight("br0")).isEqualTo(2);
        g.settled("br0", mac(2)); // bound
        assertThat(g.admit("br0", mac(3))).isNull();
        assertThat(g.admit("br0", mac(4))).isEqualTo(DropReason.OFFERS_IN_FLIGHT);
        clock.advance(HOLD);
        assertThat(g.inFlight("br0")).isZero();
        assertThat(g.admit("br0", mac(4))).isNull();
    }

    @Test
    void aRetransmissionTakesNoToken() {
        NewClientGuard g = new NewClientGuard(new NewClientGuard.Limits(1, 1, 4), HOLD, clock);
        assertThat(g.admit("br0", mac(1))).isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(g.admit("br0", mac(1))).isNull();
        }
        assertThat(g.admit("br0", mac(2))).isEqualTo(DropReason.NEW_CLIENT_RATE);
    }

    @Test
    void noLimitsAdmitsEveryone() {
        NewClientGuard g = new NewClientGuard(NewClientGuard.Limits.NONE, HOLD, clock);
        for (int i = 0; i < 10_000; i++) {
            assertThat(g.admit("br0", mac(i))).isNull();
        }
    }

    /** The hot path allocates nothing once the interface's bucket exists (the brief: no garbage per packet). */
    @Test
    void admittingAndRefusingAllocateNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        NewClientGuard g = new NewClientGuard(new NewClientGuard.Limits(100, 200, 256), HOLD, clock);
        MacAddress[] macs = new MacAddress[4096];
        for (int i = 0; i < macs.length; i++) {
            macs[i] = mac(i);
        }
        int refused = 0;
        for (int round = 0; round < 3; round++) { // the first rounds warm up (and make the bucket)
            long before = threads.getCurrentThreadAllocatedBytes();
            for (MacAddress m : macs) {
                if (g.admit("br0", m) != null) {
                    refused++;
                }
                g.settled("br0", m);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                assertThat(allocated).as("bytes allocated by %d admits and settles", macs.length).isZero();
            }
        }
        assertThat(refused).isPositive();
    }

    record Step(int mac, int advanceMillis, boolean bind) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.integers().between(0, 40),
                        Arbitraries.integers().between(0, 400).edgeCases(e -> e.add(0)),
                        Arbitraries.of(true, false).edgeCases(e -> e.add(false)))
                .as(Step::new).list().ofMaxSize(300);
    }

    /**
     * Against a plain model: new admissions within any second never exceed burst + rate, offers to
     * new clients in flight never exceed the cap, and a refused DISCOVER is refused for a reason the
     * model agrees with (no free slot, or no token).
     */
    @Property(tries = 200)
    void neverMoreThanTheLimits(@ForAll("steps") List<Step> steps, @ForAll("rates") int perSecond,
                                @ForAll("caps") int cap) {
        int burst = Math.max(1, perSecond / 2);
        NewClientGuard g = new NewClientGuard(new NewClientGuard.Limits(perSecond, burst, cap), HOLD, clock);
        Map<Integer, Long> liveUntil = new HashMap<>(); // the model: MAC -> offer deadline (ms)
        ArrayDeque<Long> admittedAt = new ArrayDeque<>();
        long t = 0;
        for (Step s : steps) {
            clock.advance(Duration.ofMillis(s.advanceMillis()));
            t += s.advanceMillis();
            long now = t;
            liveUntil.values().removeIf(d -> d <= now);
            boolean retransmit = liveUntil.containsKey(s.mac());
            DropReason r = g.admit("br0", mac(s.mac()));
            if (retransmit) {
                assertThat(r).as("a client with an offer in flight keeps it").isNull();
            } else if (r == null) {
                admittedAt.addLast(now);
            } else if (r == DropReason.OFFERS_IN_FLIGHT) {
                assertThat(liveUntil).hasSize(cap);
            } else {
                assertThat(r).isEqualTo(DropReason.NEW_CLIENT_RATE);
            }
            if (r == null) {
                liveUntil.put(s.mac(), now + HOLD.toMillis());
            }
            while (!admittedAt.isEmpty() && admittedAt.peekFirst() <= now - 1000) {
                admittedAt.removeFirst();
            }
            assertThat(admittedAt.size()).as("new clients admitted within the last second").isLessThanOrEqualTo(burst + perSecond);
            assertThat(liveUntil.size()).isLessThanOrEqualTo(cap);
            assertThat(g.inFlight("br0")).isEqualTo(liveUntil.size());
            if (s.bind() && r == null) {
                g.settled("br0", mac(s.mac()));
                liveUntil.remove(s.mac());
            }
        }
    }

    @Provide
    Arbitrary<Integer> rates() {
        return Arbitraries.integers().between(1, 50);
    }

    @Provide
    Arbitrary<Integer> caps() {
        return Arbitraries.integers().between(1, 12);
    }
}
