package dev.vmaddr.store.embedded;

import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The log on its own, with the test thread standing in for the committer ({@link GroupCommitLog#commitNext}
 * is called here; no committer thread runs) and a hand-moved time source, so nothing sleeps.
 */
@Timeout(60) // a commit delay applied where it must not be waits out an hour
class GroupCommitLogTest {
    static final long MS = 1_000_000;

    @TempDir
    Path dir;

    /** The time source: moved by hand. */
    final AtomicLong now = new AtomicLong(1_000 * MS);
    /** What apply and the undos did, in order. */
    final List<String> journal = new ArrayList<>();

    GroupCommitLog open(LogFile.Opener files, Duration commitDelay) throws IOException {
        LogSegments segments = LogSegments.open(dir, files, new Recovery.Result(null, 0, 0, null, 0));
        return new GroupCommitLog(dir, segments, 0, commitDelay, op -> {
            String key = ((Op.DocumentPut) op).key();
            journal.add("apply " + key);
            return () -> journal.add("undo " + key);
        }, now::get);
    }

    static Op doc(String key) {
        return new Op.DocumentPut("t", key, "{}");
    }

    /** Appended inside a deferred scope, as the DHCP receiver writes: returns at once. */
    static GroupCommitLog.Ticket deferred(GroupCommitLog log, String key) {
        return new DeferredDurability().run(() -> log.appendIf(doc(key), Precondition.ALWAYS));
    }

    /** What recovery finds in the directory: the keys of the durable records, in order. */
    List<String> recovered() throws IOException {
        StoreState state = new StoreState(10);
        Recovery.recover(dir, () -> state);
        return state.documents.getOrDefault("t", new java.util.HashMap<>()).keySet().stream().sorted().toList();
    }

    @Test
    void oneWriteAndOneForceMakeAWholeBatchDurable() throws IOException {
        List<long[]> commits = new ArrayList<>();
        AtomicLong forces = new AtomicLong();
        GroupCommitLog log = open((path, at) -> new ForwardingLogFile(LogFile.FILES.open(path, at)) {
            @Override
            public void force() throws IOException {
                forces.incrementAndGet();
                now.addAndGet(3 * MS); // the fsync takes 3 ms of the injected time
                super.force();
            }
        }, Duration.ZERO);
        log.reportCommitsTo((nanos, writes) -> commits.add(new long[] {nanos, writes}));
        List<GroupCommitLog.Ticket> tickets = List.of(log.appendIf(doc("a"), Precondition.ALWAYS),
                log.appendIf(doc("b"), Precondition.ALWAYS), log.appendIf(doc("c"), Precondition.ALWAYS));

        assertThat(log.commitNext()).isTrue();

        for (GroupCommitLog.Ticket t : tickets) {
            assertThat(log.await(t)).isTrue();
        }
        assertThat(forces).hasValue(1);
        assertThat(commits).singleElement().satisfies(c -> assertThat(c).containsExactly(3 * MS, 3));
        assertThat(log.batchesCommitted()).isEqualTo(1);
        assertThat(log.recordsCommitted()).isEqualTo(3);
        log.close();
        assertThat(recovered()).containsExactly("a", "b", "c");
    }

    @Test
    void aRefusedWriteAppendsNothingAndSaysSo() throws IOException {
        GroupCommitLog log = open(LogFile.FILES, Duration.ZERO);
        GroupCommitLog.Ticket refused = log.appendIf(doc("a"), Precondition.onlyIf(() -> false));

        assertThat(refused).isSameAs(Precondition.NOTHING_THERE);
        assertThat(log.await(refused)).isFalse();
        assertThat(journal).isEmpty();
        log.close();
        assertThat(recovered()).isEmpty();
    }

    @Test
    void aFailedFsyncUndoesEveryChangeThatIsNotDurableNewestFirstAndFailsTheirWriters() throws IOException {
        AtomicReference<GroupCommitLog> self = new AtomicReference<>();
        AtomicReference<GroupCommitLog.Ticket> behind = new AtomicReference<>();
        GroupCommitLog log = open((path, at) -> new ForwardingLogFile(LogFile.FILES.open(path, at)) {
            @Override
            public void force() throws IOException {
                if (behind.get() == null && self.get().recordsCommitted() > 0) {
                    // A writer arrives while the fsync runs: its record fills the next batch.
                    behind.set(self.get().appendIf(doc("d"), Precondition.ALWAYS));
                    throw new IOException("Input/output error");
                }
                super.force();
            }
        }, Duration.ZERO);
        self.set(log);
        GroupCommitLog.Ticket durable = log.appendIf(doc("x"), Precondition.ALWAYS);
        assertThat(log.commitNext()).isTrue();
        assertThat(log.await(durable)).isTrue();

        GroupCommitLog.Ticket a = log.appendIf(doc("a"), Precondition.ALWAYS);
        GroupCommitLog.Ticket b = log.appendIf(doc("b"), Precondition.ALWAYS);
        AtomicReference<Boolean> deferredOutcome = new AtomicReference<>();
        DeferredDurability scope = new DeferredDurability();
        assertThat(scope.run(() -> log.await(log.appendIf(doc("c"), Precondition.ALWAYS)))).isTrue(); // at once
        scope.whenDurable(deferredOutcome::set);
        assertThat(deferredOutcome.get()).as("not durable yet: the callback waits").isNull();

        assertThat(log.commitNext()).isFalse();

        assertThat(journal).containsExactly("apply x", "apply a", "apply b", "apply c", "apply d",
                "undo d", "undo c", "undo b", "undo a");
        assertThat(log.writable()).isFalse();
        assertThat(deferredOutcome).hasValue(false);
        for (GroupCommitLog.Ticket t : List.of(a, b, behind.get())) {
            assertThatThrownBy(() -> log.await(t)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("not made durable").hasMessageContaining("Input/output error");
        }
        assertThatThrownBy(() -> log.appendIf(doc("g"), Precondition.ALWAYS)).isInstanceOf(StoreException.class)
                .hasMessageContaining("not writable");
        assertThat(log.read(() -> "memory is the durable state again")).isNotNull(); // and a read does not wait
        log.close();
        assertThat(recovered()).containsExactly("x"); // the failed batch's bytes were cut off
    }

    // ------------------------------------------------------------------ commit delay, on the log

    @Test
    void anIdleLogSyncsALoneDeferredWriteAtOnceWhateverTheDelay() throws IOException {
        GroupCommitLog log = open(LogFile.FILES, Duration.ofHours(1));
        log.appendIf(doc("a"), Precondition.ALWAYS);
        assertThat(log.commitNext()).isTrue();
        now.addAndGet(Duration.ofHours(3).toNanos()); // more than two delays since the last fsync

        GroupCommitLog.Ticket t = deferred(log, "b");

        assertThat(log.commitNext()).isTrue(); // would wait 12 minutes for the batch to grow if it applied
        assertThat(log.await(t)).isTrue();
        log.close();
    }

    @Test
    void aFullBatchOfDeferredWritesIsSyncedWithoutWaitingOutTheDelay() throws IOException {
        GroupCommitLog log = open(LogFile.FILES, Duration.ofHours(1));
        log.appendIf(doc("first"), Precondition.ALWAYS);
        assertThat(log.commitNext()).isTrue();
        now.addAndGet(MS); // writes keep coming

        for (int i = 0; i < CommitDelay.FULL_BATCH; i++) {
            deferred(log, "k" + i);
        }

        assertThat(log.commitNext()).isTrue();
        assertThat(log.recordsCommitted()).isEqualTo(1 + CommitDelay.FULL_BATCH);
        log.close();
    }

    // ------------------------------------------------------------------ commit delay, the policy

    @Test
    void noDelayForWritersThatWaitForNoneConfiguredOrWhenIdle() {
        CommitDelay delay = new CommitDelay(Duration.ofMillis(1), now::get);
        delay.committed(now.get());
        now.addAndGet(MS / 2);
        assertThat(delay.mayFill(false)).as("blocking writers batch themselves").isFalse();
        assertThat(new CommitDelay(Duration.ZERO, now::get).mayFill(true)).as("no delay configured").isFalse();
        now.addAndGet(2 * MS);
        assertThat(delay.mayFill(true)).as("last fsync more than two delays ago").isFalse();
    }

    @Test
    void aBatchOfDeferredWritesFillsOnlyWhileItGrowsAndAtMostOneDelay() {
        CommitDelay delay = new CommitDelay(Duration.ofMillis(1), now::get);
        delay.committed(now.get());
        now.addAndGet(MS); // within two delays: writes keep coming
        assertThat(delay.mayFill(true)).isTrue();

        assertThat(delay.nextWait(1)).isEqualTo(MS / 5); // a fifth of the delay for the next record
        now.addAndGet(MS / 5);
        assertThat(delay.nextWait(3)).isEqualTo(MS / 5);
        now.addAndGet(MS / 2);
        assertThat(delay.nextWait(7)).isEqualTo(MS / 5);
        now.addAndGet(MS / 5);
        assertThat(delay.nextWait(9)).as("what is left of the delay").isEqualTo(MS / 10);
        now.addAndGet(MS / 10);
        assertThat(delay.nextWait(12)).as("the delay is over").isZero();
    }

    @Test
    void aBatchThatStopsGrowingOrIsFullIsSyncedAtOnce() {
        CommitDelay delay = new CommitDelay(Duration.ofMillis(1), now::get);
        delay.committed(now.get());
        assertThat(delay.mayFill(true)).isTrue();
        assertThat(delay.nextWait(4)).isPositive();
        assertThat(delay.nextWait(4)).as("no new record since the last wait").isZero();

        assertThat(delay.mayFill(true)).isTrue();
        assertThat(delay.nextWait(CommitDelay.FULL_BATCH - 1)).as("still growing, one short of full").isPositive();
        assertThat(delay.nextWait(CommitDelay.FULL_BATCH)).as("grew, but is full").isZero();
    }
}
