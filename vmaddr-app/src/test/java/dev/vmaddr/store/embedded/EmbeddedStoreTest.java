package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a rollback bug shows as a read that never returns
class EmbeddedStoreTest {
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path dir;

    static Lease lease(int n, int mac) {
        return new Lease("lan", new Ipv4Address(0xC6120000 + n), new MacAddress(0x525400000000L + mac), null, "h" + n,
                LeaseState.BOUND, T0.plusSeconds(3600), T0);
    }

    EmbeddedStore open(EmbeddedStore.Options options) {
        return EmbeddedStore.open(dir, Clock.systemUTC(), options);
    }

    /** Everything a store holds, as comparable values. */
    static List<Object> contents(Store s) {
        List<Object> out = new ArrayList<>();
        out.addAll(s.networks().list());
        s.leases().forEach(out::add);
        out.sort((a, b) -> a.toString().compareTo(b.toString()));
        out.addAll(s.macs().list());
        out.add(s.documents().list("vm"));
        out.addAll(s.history().query(null, null, null, null, null, Integer.MAX_VALUE));
        out.add(s.leases().count());
        return out;
    }

    static void writeSome(Store s, int from, int to) {
        for (int i = from; i < to; i++) {
            s.leases().put(lease(i, i), T0);
            if (i % 10 == 0) {
                s.macs().put(new MacRecord(new MacAddress(0x525400000000L + i), MacState.ALLOCATED, "vm/v" + i + "/nic0", null, T0));
                s.documents().put("vm", "v" + i, "{\"i\":" + i + "}");
            }
            if (i % 7 == 0) {
                s.leases().remove("lan", new Ipv4Address(0xC6120000 + i));
            }
        }
        s.networks().put(dev.vmaddr.store.StoreContract.fullNetwork("lan" + from));
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedClearly() {
        try (EmbeddedStore s = open(EmbeddedStore.Options.defaults())) {
            assertThatThrownBy(() -> open(EmbeddedStore.Options.defaults()))
                    .isInstanceOf(StoreException.class).hasMessageContaining("in use by another").hasMessageContaining(dir.toString());
            assertThat(s.writable()).isTrue();
        }
        open(EmbeddedStore.Options.defaults()).close();
    }

    @Test
    void stateAfterSnapshotMoreWritesAndReopenEqualsStateBefore() throws IOException {
        List<Object> expected;
        try (EmbeddedStore s = open(EmbeddedStore.Options.defaults())) {
            writeSome(s, 0, 300);
            s.snapshot();
            writeSome(s, 300, 500);
            s.snapshot();
            writeSome(s, 500, 600);
            expected = contents(s);
        }
        assertThat(snapshots()).hasSize(2);
        // Segments only the newer snapshot's predecessor needs are kept: the first one is gone.
        assertThat(names()).noneMatch(n -> n.equals("log-00000000000000000001.wal"));
        try (EmbeddedStore s = open(EmbeddedStore.Options.defaults())) {
            assertThat(contents(s)).isEqualTo(expected);
            writeSome(s, 600, 650);
            expected = contents(s);
        }
        try (EmbeddedStore s = open(EmbeddedStore.Options.defaults())) {
            assertThat(contents(s)).isEqualTo(expected);
        }
    }

    @Test
    void snapshotsAreTakenAutomaticallyAndHistorySurvivesCompaction() throws IOException {
        EmbeddedStore.Options options = EmbeddedStore.Options.defaults().withSnapshotEveryRecords(100);
        List<Object> expected;
        try (EmbeddedStore s = open(options)) {
            s.history().append(new HistoryEvent(T0, null, null, null, "vm/first/nic0", "nic-created"));
            writeSome(s, 0, 1000);
            expected = contents(s);
        }
        assertThat(snapshots()).isNotEmpty().hasSizeLessThanOrEqualTo(2);
        assertThat(names().stream().filter(n -> n.endsWith(".wal")).count()).isLessThan(5);
        try (EmbeddedStore s = open(options)) {
            assertThat(contents(s)).isEqualTo(expected);
            assertThat(s.history().query(null, null, "vm/first/", null, null, 10)).hasSize(1);
        }
    }

    @Test
    void historyIsCappedToTheNewestEvents() {
        try (EmbeddedStore s = open(EmbeddedStore.Options.defaults().withHistoryMaxEvents(50))) {
            for (int i = 0; i < 80; i++) {
                s.history().append(new HistoryEvent(T0.plusSeconds(i), null, null, null, "h" + i, "x"));
            }
            List<HistoryEvent> all = s.history().query(null, null, null, null, null, 1000);
            assertThat(all).hasSize(50);
            assertThat(all.getFirst().holder()).isEqualTo("h30");
        }
    }

    /** A log that works until {@code broken} is set, then fails like a full disk. */
    static LogFile.Opener failing(AtomicBoolean broken, boolean failForce) {
        return (path, appendAt) -> {
            return new ForwardingLogFile(LogFile.FILES.open(path, appendAt)) {
                @Override
                public void write(ByteBuffer data) throws IOException {
                    if (broken.get() && !failForce) {
                        throw new IOException("No space left on device");
                    }
                    super.write(data);
                }

                @Override
                public void force() throws IOException {
                    if (broken.get() && failForce) {
                        throw new IOException("Input/output error");
                    }
                    super.force();
                }
            };
        };
    }

    @Test
    void aFailedWriteIsNotGrantedNotVisibleAndStopsFurtherWrites() {
        for (boolean failForce : new boolean[] {false, true}) {
            AtomicBoolean broken = new AtomicBoolean();
            Lease kept = lease(1, 1);
            try (EmbeddedStore s = open(EmbeddedStore.Options.defaults().withLogFiles(failing(broken, failForce)))) {
                s.leases().put(kept, T0);
                broken.set(true);
                Lease lost = new Lease("lan", kept.ip(), kept.mac(), null, "new-name", LeaseState.BOUND, T0.plusSeconds(9999), T0);
                assertThatThrownBy(() -> s.leases().put(lost, T0)).isInstanceOf(StoreException.class);
                assertThatThrownBy(() -> s.leases().put(lease(2, 2), T0)).isInstanceOf(StoreException.class)
                        .hasMessageContaining("not writable");
                assertThat(s.writable()).isFalse();
                assertThat(s.leases().get("lan", kept.ip())).contains(kept);
                assertThat(s.leases().get("lan", lease(2, 2).ip())).isEmpty();
                assertThat(s.leases().count()).isEqualTo(1);
                assertThat(s.history().query(null, null, null, null, null, 100)).hasSize(1);
            }
            try (EmbeddedStore s = open(EmbeddedStore.Options.defaults())) {
                assertThat(s.leases().get("lan", kept.ip())).contains(kept);
                assertThat(s.leases().count()).isEqualTo(1);
                assertThat(s.writable()).isTrue();
            }
        }
    }

    @Test
    void concurrentWritersInAFailingBatchAllFailAndNoneIsVisible() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        try (EmbeddedStore s = open(EmbeddedStore.Options.defaults().withLogFiles(failing(broken, true)))) {
            s.leases().put(lease(0, 0), T0);
            broken.set(true);
            List<Thread> threads = new ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger acknowledged = new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 1; t <= 16; t++) {
                int n = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        s.leases().put(lease(n, n), T0);
                        acknowledged.incrementAndGet();
                    } catch (StoreException expected) {
                        // not granted
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(acknowledged).hasValue(0);
            assertThat(s.leases().count()).isEqualTo(1);
            List<Lease> all = new ArrayList<>();
            s.leases().forEach(all::add);
            assertThat(all).containsExactly(lease(0, 0));
        }
    }

    List<Path> snapshots() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".snap")).toList();
        }
    }

    List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
