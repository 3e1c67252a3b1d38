package dev.vmaddr.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryQuery;
import dev.vmaddr.store.HistoryRetention;
import dev.vmaddr.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code history.keep} on the embedded store, with the clock injected: the background prune drops
 * what is older than keep before now, a restart keeps it dropped (the prune is logged, and recovery
 * applies the retention again), and snapshots carry the pruned state.
 */
class HistoryRetentionTest {
    @TempDir
    Path dir;

    static HistoryEvent event(Instant at, int n) {
        return new HistoryEvent(at, "lan", Ipv4Address.parse("198.18.0.9"), new MacAddress(0x021800000000L + n), "vm/r/nic0",
                "reservation.added", "api:test", null);
    }

    @Test
    void pruneUsesTheInjectedClockAndStaysPrunedAcrossRestartsAndSnapshots() {
        MutableClock clock = new MutableClock();
        Instant t0 = clock.instant();
        EmbeddedStore.Options options = EmbeddedStore.Options.defaults().withSnapshotEveryRecords(7);
        EmbeddedStore store = EmbeddedStore.open(dir, clock, options);
        for (int day = 0; day < 100; day++) {
            store.history().append(event(t0.plus(Duration.ofDays(day)), day));
        }
        HistoryRetention retention = new HistoryRetention(store.history(), Duration.ofDays(90), clock);
        assertThat(retention.pruneNow()).as("nothing is 90 days old yet").isZero();

        clock.advance(Duration.ofDays(99)); // now = day 99: days 0..8 are older than 90 days
        assertThat(retention.pruneNow()).isEqualTo(9);
        assertThat(store.history().page(HistoryQuery.all(1000)).items()).hasSize(91)
                .allMatch(e -> !e.at().isBefore(t0.plus(Duration.ofDays(9))));
        // the per-key chains dropped them too
        assertThat(store.history().page(new HistoryQuery(Ipv4Address.parse("198.18.0.9"), null, "r", null, null, null, 1000))
                .items()).hasSize(91);
        store.history().append(event(clock.instant(), 1000)); // more records after the prune: a snapshot follows
        store.close();

        // a store that keeps 400 days still does not bring the pruned ones back: the prune is in the log
        EmbeddedStore reopened = EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults());
        assertThat(reopened.history().page(HistoryQuery.all(1000)).items()).hasSize(92);
        reopened.close();

        // and one opened with keep = 30d applies it while recovering
        EmbeddedStore shorter = EmbeddedStore.open(dir, clock,
                EmbeddedStore.Options.defaults().withHistoryRetention(Duration.ofDays(30)));
        assertThat(shorter.history().page(HistoryQuery.all(1000)).items())
                .allMatch(e -> !e.at().isBefore(clock.instant().minus(Duration.ofDays(30)))).hasSize(32);
        shorter.close();
    }
}
