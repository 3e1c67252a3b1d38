package dev.vmaddr.store.embedded;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * <b>2b. Commit delay</b> — group commit's other half, for writers that do not wait
 * ({@link dev.vmaddr.store.DeferredDurability}: the DHCP receiver). Blocking writers batch
 * themselves — they pile up while an fsync runs and cannot add more than their number — so a pause
 * would only slow them (it halved GroupCommitBenchmark). A deferring writer never stops, and
 * without a pause the committer would sync as soon as one of its records is there: batches stay
 * tiny and each fsync costs the CPU of dozens of requests. So while a batch holds deferred writes
 * and writes keep coming (the last fsync ended less than two delays ago) the batch may fill for up
 * to {@code commitDelay} — but only while it grows: it is synced as soon as a fifth of the delay
 * passes without a new record (every waiting writer is in; blocking writers cannot add more), or at
 * {@link #FULL_BATCH} records. An idle store syncs a lone write at once.
 *
 * <p>Only the decision lives here; the committer does the waiting (on its condition, which an
 * append signals), so the policy is tested with a hand-moved time source. Used by the committer
 * thread alone.
 */
final class CommitDelay {
    /** A batch this large is synced without waiting out the commit delay. */
    static final int FULL_BATCH = 256;

    private final long delay;
    private final LongSupplier nanoTime;
    private long lastCommitEnd = Long.MIN_VALUE / 2; // nanoTime after the last fsync
    private long deadline;
    private int seen;

    CommitDelay(Duration delay, LongSupplier nanoTime) {
        this.delay = delay.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * The committer has a batch to take: true when it may let the batch fill first (the wait starts
     * now and ends at the latest one delay from now), false to sync it at once.
     */
    boolean mayFill(boolean deferredWriters) {
        if (delay == 0 || !deferredWriters) {
            return false;
        }
        long now = nanoTime.getAsLong();
        if (now - lastCommitEnd > 2 * delay) {
            return false;
        }
        deadline = now + delay;
        seen = 0;
        return true;
    }

    /**
     * While filling: how long to wait for the batch, now {@code count} records, to grow; 0 when it
     * should be synced now (it stopped growing, is full, or the delay is over).
     */
    long nextWait(int count) {
        // "count <= seen || count >= FULL_BATCH" as one test: either difference is negative. A full
        // batch never came in the warm-up (its fsyncs are quick, its batches small), so the second
        // test of the two was compiled as a trap, and the first batch of 256 at rate deoptimized
        // the committer's loop (JFR, fresh servers at 20,000 DORA/s); the one test here is taken
        // whenever a batch stops growing.
        if (((count - 1 - seen) | (FULL_BATCH - 1 - count)) < 0) {
            return 0;
        }
        seen = count;
        return Math.max(0, Math.min(delay / 5, deadline - nanoTime.getAsLong()));
    }

    /** An fsync ended at {@code endNanos}: writes count as coming while the next one starts within two delays. */
    void committed(long endNanos) {
        lastCommitEnd = endNanos;
    }
}
