package dev.vmaddr.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LeaseRateTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:10Z"));
    final LeaseRate rate = new LeaseRate(clock);

    @Test
    void countsEachMinuteApartAndForgetsMinutesPastTheHistory() {
        rate.bound("a", clock.instant());
        rate.bound("a", clock.instant());
        rate.bound("b", clock.instant());
        assertThat(rate.snapshot("a").thisMinute()).isEqualTo(2);
        assertThat(rate.snapshot("b").thisMinute()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(1));
        rate.bound("a", clock.instant());
        LeaseRate.Snapshot s = rate.snapshot("a");
        assertThat(s.thisMinute()).isEqualTo(1);
        assertThat(s.lastMinute()).isEqualTo(2);
        assertThat(s.perMinute()).hasSize(LeaseRate.HISTORY).endsWith(2L);
        assertThat(s.perMinute().subList(0, LeaseRate.HISTORY - 1)).containsOnly(0L);

        // the ring reuses the first minute's bucket after MINUTES minutes: the old count must not show
        clock.advance(Duration.ofMinutes(LeaseRate.MINUTES - 1));
        rate.bound("a", clock.instant());
        s = rate.snapshot("a");
        assertThat(s.thisMinute()).isEqualTo(1);
        assertThat(s.perMinute().stream().mapToLong(Long::longValue).sum()).as("minute 1 is 15 minutes back").isEqualTo(1);
        clock.advance(Duration.ofMinutes(LeaseRate.MINUTES + 3));
        assertThat(rate.snapshot("a")).isEqualTo(new LeaseRate.Snapshot(0, 0, Collections.nCopies(LeaseRate.HISTORY, 0L)));
    }

    @Test
    void unknownAndForgottenNetworksReadZero() {
        assertThat(rate.snapshot("none").thisMinute()).isZero();
        rate.bound("a", clock.instant());
        rate.forget("a");
        assertThat(rate.snapshot("a").thisMinute()).isZero();
    }

    @Test
    void aGrantStampedInAnOlderMinuteThanItsSlotIsDroppedNotMisfiled() throws InterruptedException {
        Instant early = clock.instant();
        clock.advance(Duration.ofMinutes(LeaseRate.MINUTES)); // same bucket, newer minute
        for (int t = 0; t < LeaseRate.STRIPES * 4; t++) {
            Thread.ofPlatform().start(() -> rate.bound("a", clock.instant())).join(); // touch every stripe
        }
        rate.bound("a", early);
        assertThat(rate.snapshot("a").thisMinute()).isEqualTo(LeaseRate.STRIPES * 4);
    }

    /** Many threads at once: no count is lost (the CAS per slot), whichever stripes they share. */
    @Test
    void concurrentGrantsAreAllCounted() throws Exception {
        int threads = 16;
        int each = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    rate.bound("a", clock.instant());
                }
            }));
        }
        go.countDown();
        for (Thread t : all) {
            t.join();
        }
        assertThat(rate.snapshot("a").thisMinute()).isEqualTo((long) threads * each);
    }

    /** The engine reports its grants: allocations and DHCP binds, new and renewed; offers do not count. */
    @Test
    void theEngineCountsBoundLeases() {
        AllocationEngine engine = new AllocationEngine(new MemoryStore(), clock, new Random(7));
        engine.putNetwork(NetworkSpec.builder("lab", Ipv4Prefix.parse("198.18.0.0/24"))
                .gateway(Ipv4Address.parse("198.18.0.1")).leaseTime(Duration.ofHours(1))
                .pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.199"))).build());
        MacAddress a = MacAddress.parse("02:18:00:00:00:0a");
        Lease offer = engine.offer("lab", AllocationRequest.of(a), Duration.ofSeconds(30));
        assertThat(engine.leaseRate("lab").thisMinute()).as("an offer is not a lease").isZero();
        engine.bind("lab", AllocationRequest.of(a), offer.ip());
        engine.bind("lab", AllocationRequest.of(a), offer.ip()); // renewal
        engine.allocate("lab", AllocationRequest.of(MacAddress.parse("02:18:00:00:00:0b")));
        assertThat(engine.leaseRate("lab").thisMinute()).isEqualTo(3);
        clock.advance(Duration.ofMinutes(1));
        assertThat(engine.leaseRate("lab").lastMinute()).isEqualTo(3);
        engine.removeNetwork("lab");
        assertThat(engine.leaseRate("lab").lastMinute()).isZero();
    }
}
