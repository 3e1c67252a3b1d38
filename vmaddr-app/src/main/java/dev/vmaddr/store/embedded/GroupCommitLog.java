package dev.vmaddr.store.embedded;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.CommitListener;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store's log with group commit: writers append records to an open batch in memory,
 * one committer thread writes and fsyncs whole batches to the current log segment. It owns the
 * lock under which the in-memory state is read and changed, the sequence numbers, and who waits for
 * what; what a record does to memory is given to it ({@code apply}, which returns the undo).
 *
 * <h2>Why one exclusive lock</h2>
 * A {@code ReentrantReadWriteLock}'s read side branches on other holders and waiters, which the
 * warm-up never took: the first overlap at rate (the committer queued for its batch swap) trapped in
 * the receiver's compiled request path (JFR, 20,000 DORA/s) and C2 compiled it again while clients
 * came. One {@link ReentrantLock} runs the contended code the receiver and the committer share from
 * the warm-up on; a read holds it for tens of microseconds, as a write does.
 * <p>Steps 1 to 5 of the store's concurrency design are written at the code they explain
 * ({@link #appendIf}, {@link #commitNext}, {@link #await}, {@link #fail}, {@link #read}; the commit
 * delay in {@link CommitDelay}); step 6, snapshots, is {@link Snapshotter}'s.
 */
final class GroupCommitLog {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitLog.class);

    /** What {@link #appendIf} hands back for {@link #await}: the batch the record went into, or why it was not written. */
    sealed interface Ticket permits Batch, Precondition.Refusal {}

    private final Path dir;
    private final LogSegments segments;
    private final Function<Op, Runnable> apply;
    private final LongSupplier nanoTime;
    private final CommitDelay commitDelay;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition committerWake = lock.newCondition();

    // Guarded by the lock.
    private Batch open = new Batch();
    private long appliedSeq;
    private boolean closing;

    // Durability, published by the committer.
    private final Object durableMonitor = new Object();
    private volatile long durableSeq;
    private volatile Throwable failure;
    private volatile boolean writable = true;
    private volatile CommitListener commitListener = CommitListener.NONE;
    private volatile boolean committerDone;

    private final DurableWaiters waiters = new DurableWaiters(() -> durableSeq, () -> failure != null || committerDone);

    // Owned by the committer thread (set up before it starts).
    private Checkpoints checkpoints = Checkpoints.NONE;
    private long batchesCommitted;
    private long recordsCommitted;
    private final AtomicReference<Bytes> spareBuffer = new AtomicReference<>(); // set by the committer, taken under the lock
    private Thread committer;

    /**
     * @param lastSeq     the last record recovered: memory and {@code segments} are both there
     * @param apply       applies a record to memory and returns its undo (called under the lock)
     * @param nanoTime    the time source of the commit delay and of the commit durations reported
     */
    GroupCommitLog(Path dir, LogSegments segments, long lastSeq, Duration commitDelay, Function<Op, Runnable> apply,
                   LongSupplier nanoTime) {
        this.dir = dir;
        this.segments = segments;
        this.appliedSeq = lastSeq;
        this.durableSeq = lastSeq;
        this.apply = apply;
        this.nanoTime = nanoTime;
        this.commitDelay = new CommitDelay(commitDelay, nanoTime);
    }

    /** Starts the committer thread; {@code checkpoints} is told about every batch it takes. */
    void start(Checkpoints checkpoints) {
        this.checkpoints = checkpoints;
        committer = new Thread(this::commitLoop, "vmaddr-store-committer");
        committer.setDaemon(true);
        committer.start();
    }

    boolean writable() {
        return writable;
    }

    Throwable failure() {
        return failure;
    }

    long batchesCommitted() {
        return batchesCommitted;
    }

    long recordsCommitted() {
        return recordsCommitted;
    }

    void reportCommitsTo(CommitListener listener) {
        commitListener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Lets the committer write what is open, stops it and closes the segment. False when it was
     * closed already.
     */
    boolean close() {
        lock.lock();
        try {
            if (closing) {
                return false;
            }
            closing = true;
            committerWake.signal();
        } finally {
            lock.unlock();
        }
        try {
            if (committer != null) {
                committer.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            segments.close();
        } catch (IOException e) {
            LOG.warn(LogEvents.STORE_CLOSE_FAILED + " dataDir={} error=\"{}\"", dir, e.toString());
        }
        return true;
    }

    // ---------------------------------------------------------------- write path

    void ensureWritable() {
        if (closing) {
            throw new StoreException("store in " + dir + " is closed");
        }
        if (!writable) {
            throw new StoreException("store in " + dir + " is not writable after an I/O failure: " + failure, failure);
        }
    }

    /** Under the lock: a refusal resting on everything applied so far (a claim refused on what memory holds). */
    Precondition.Refusal refusal() {
        return new Precondition.RefusedAt(appliedSeq);
    }

    /** {@link #appendIf(Op, LongFunction, Precondition)} for a record that is the same in memory as in the log. */
    Ticket appendIf(Op op, Precondition precondition) {
        return appendIf(op, s -> op, precondition);
    }

    /**
     * <b>1. Sequencing (lock, microseconds).</b> A writer encodes its record outside the lock,
     * then under the lock: checks its condition against the current state (the address is
     * free or already its own; the MAC is not blocked), takes the next sequence number, appends the
     * framed record to the open batch, applies the change to memory and keeps its undo. Deciding,
     * numbering and applying under one lock makes the conditional writes atomic and makes memory
     * change in exactly log order.
     *
     * @param op       the record as written to the log
     * @param numbered the record as applied to memory, given its sequence number (a lease entry keeps it)
     */
    Ticket appendIf(Op op, LongFunction<Op> numbered, Precondition precondition) {
        Bytes payload = RecordCodec.encoded(op);
        lock.lock();
        try {
            ensureWritable();
            return appendLocked(numbered, precondition, payload.buf, 0, payload.len);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock (held by the caller, as {@link BulkAppend} does through {@link #underLock}): step 1 for one record encoded in {@code payload[off, off + len)}. */
    Ticket appendLocked(LongFunction<Op> numbered, Precondition precondition, byte[] payload, int off, int len) {
        Precondition.Refusal refusal = precondition.check();
        if (refusal != null) {
            return refusal;
        }
        long seq = appliedSeq + 1;
        Op o = numbered.apply(seq);
        Frames.append(open.bytes, seq, payload, off, len);
        appliedSeq = seq;
        open.undos.add(apply.apply(o));
        open.lastSeq = seq;
        if (!open.deferredWriters && DeferredDurability.current() != null) {
            open.deferredWriters = true;
        }
        if (open.count++ == 0 || open.count == CommitDelay.FULL_BATCH) {
            committerWake.signal();
        }
        return open;
    }

    /**
     * <b>3. Acknowledgement.</b> A writer returns only once {@code durableSeq} covers its record; a
     * refusal is reported only once the state it was decided on is durable. True when the record
     * was written, false when it was refused.
     *
     * @throws StoreException when what it waited for could not be made durable
     */
    boolean await(Ticket ticket) {
        return switch (ticket) {
            case Batch batch -> {
                if (!deferredTo(batch.lastSeq) && !batch.await()) {
                    throw new StoreException("write was not made durable: " + failure, failure);
                }
                yield true;
            }
            case Precondition.Refusal refusal -> {
                if (!awaitDurable(refusal.decidedOn())) {
                    throw new StoreException("write was not made durable: " + failure, failure);
                }
                yield false;
            }
        };
    }

    /** In a deferred scope: makes the scope's outcome depend on {@code mark}, and true (do not wait). */
    private boolean deferredTo(long mark) {
        DeferredDurability deferred = DeferredDurability.current();
        if (deferred == null) {
            return false;
        }
        deferred.require(waiters, mark);
        return true;
    }

    /**
     * True once {@code seq} is durable; false when its batch failed (and was rolled back). In a
     * deferred scope it does not wait: true, and the scope's outcome depends on {@code seq}.
     */
    boolean awaitDurable(long seq) {
        if (durableSeq >= seq) {
            return true;
        }
        if (deferredTo(seq)) {
            return true;
        }
        synchronized (durableMonitor) {
            while (durableSeq < seq) {
                if (failure != null) {
                    return false;
                }
                try {
                    durableMonitor.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted while waiting for a write to become durable", e);
                }
            }
        }
        return true;
    }

    /** Runs {@code change} under the lock, then wakes the committer to look at it. */
    <T> T wakeCommitter(Supplier<T> change) {
        lock.lock();
        try {
            T result = change.get();
            committerWake.signal();
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock, a change to memory that is not a log record (a repaired index). */
    <T> T underLock(Supplier<T> change) {
        lock.lock();
        try {
            return change.get();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- committer

    private void commitLoop() {
        try {
            while (commitNext()) {
                // one batch per round
            }
        } finally {
            committerDone = true;
            checkpoints.stopped(failure != null ? failure : new StoreException("store closed"));
            waiters.runDue();
        }
    }

    /**
     * <b>2. Group commit (committer thread).</b> The committer takes the whole open batch (swapping
     * in an empty one under the lock), writes it with one {@code write} and makes it durable
     * with one {@code force}, then publishes {@code durableSeq} and wakes the waiters. While it
     * fsyncs, new writers fill the next batch, so N concurrent writers share one fsync; there is no
     * timer and no added latency when a writer is alone (but see {@link CommitDelay} for writers
     * that do not wait).
     *
     * @return false once the committer should stop: the log is closed or failed
     */
    boolean commitNext() {
        Batch batch;
        Runnable checkpoint;
        lock.lock();
        try {
            while (open.count == 0 && !closing && !checkpoints.due()) {
                committerWake.awaitUninterruptibly();
            }
            letBatchFill();
            if (open.count == 0 && closing) {
                return false;
            }
            batch = open;
            Bytes recycled = spareBuffer.getAndSet(null);
            open = recycled == null ? new Batch() : new Batch(recycled);
            checkpoint = checkpoints.take(appliedSeq, batch.count, segments.bytes() + batch.bytes.len);
        } finally {
            lock.unlock();
        }
        if (batch.count > 0 && !commit(batch)) {
            return false;
        }
        if (checkpoint != null) {
            checkpoint.run();
        }
        return failure == null;
    }

    /** Under the lock, which {@code awaitNanos} releases so that writers can add to the batch. */
    private void letBatchFill() {
        if (!commitDelay.mayFill(open.deferredWriters)) {
            return;
        }
        long wait;
        while (!closing && (wait = commitDelay.nextWait(open.count)) > 0) {
            try {
                committerWake.awaitNanos(wait);
            } catch (InterruptedException e) {
                return; // nobody interrupts the committer; keeping the flag would close the log (FileChannel)
            }
        }
    }

    /** Writes and fsyncs one batch; on failure rolls back and fails the log. */
    private boolean commit(Batch batch) {
        long before = segments.bytes();
        long started = nanoTime.getAsLong();
        try {
            segments.append(batch.bytes);
        } catch (Throwable e) {
            fail(batch, e, before);
            return false;
        }
        long ended = nanoTime.getAsLong();
        commitDelay.committed(ended);
        commitListener.committed(ended - started, batch.count);
        batchesCommitted++;
        recordsCommitted += batch.count;
        synchronized (durableMonitor) {
            durableSeq = batch.lastSeq;
            durableMonitor.notifyAll(); // readers waiting for a sequence number (rare)
        }
        batch.finish(Batch.DURABLE);
        if (batch.bytes.buf.length <= 1 << 20) { // a huge one-off batch's array is left to the GC
            batch.bytes.reset(); // written and synced: the next batch may reuse the array
            spareBuffer.set(batch.bytes);
        }
        if (!waiters.isEmpty()) {
            waiters.runDue();
        }
        return true;
    }

    /**
     * <b>4. Failure.</b> If the write or the fsync throws, the log turns unwritable for good
     * ({@link #writable()} false): under the lock every applied-but-not-durable change (the
     * failed batch and the one filling behind it) is undone newest first, so memory is exactly the
     * durable state again, and all their writers get {@link StoreException}. Nothing is granted that
     * was not stored. (The bytes of the failed batch may still reach the disk; recovery would then
     * replay writes that were reported as failed, which is the usual "outcome unknown" of a failed
     * commit and never un-grants anything.)
     *
     * @param sizeBefore where the segment ended before the failed batch (-1: nothing to cut back)
     */
    private void fail(Batch batch, Throwable e, long sizeBefore) {
        Batch failedOpen;
        lock.lock();
        try {
            writable = false;
            failure = e;
            open.undo();
            batch.undo();
            failedOpen = open;
            open = new Batch();
            appliedSeq = durableSeq;
        } finally {
            lock.unlock();
        }
        synchronized (durableMonitor) {
            durableMonitor.notifyAll();
        }
        failedOpen.finish(Batch.FAILED);
        batch.finish(Batch.FAILED);
        waiters.runDue();
        LOG.error(LogEvents.STORE_WRITE_FAILED + " dataDir={} records={} error=\"{}\" action=\"store is read-only; no write "
                + "is acknowledged until restart\"", dir, batch.count, e.toString());
        try {
            if (sizeBefore >= 0) {
                segments.truncate(sizeBefore); // drop the failed batch's bytes, if they got anywhere
            }
        } catch (Throwable t) {
            LOG.warn(LogEvents.STORE_WRITE_TRUNCATE_FAILED + " dataDir={} error=\"{}\"", dir, t.toString());
        }
    }

    /**
     * On the committer thread: continues the log in a new segment whose first record is
     * {@code firstSeq} (unless the current one starts there). A failure fails the log; false then.
     */
    boolean startSegment(long firstSeq) {
        try {
            segments.startAt(firstSeq);
            return true;
        } catch (Throwable e) {
            fail(new Batch(), e, -1);
            return false;
        }
    }

    // ---------------------------------------------------------------- read path

    /**
     * <b>5. Readers (the same lock)</b> see memory, which may be ahead of the disk by the batch in
     * flight. So that nothing a read returns can be lost in a crash or rolled back, a read waits
     * until what it saw is durable: a lease read waits for that lease's own sequence number (usually
     * already durable: no wait; {@link #read(Supplier, ToLongFunction)}); other reads wait for the
     * sequence number current when they read (at most one fsync; this method). If that batch fails,
     * the read is repeated on the rolled-back state. A read that finds <i>nothing</i> does not wait:
     * acting on an absence means writing, and that write is ordered after whatever made the absence.
     * A page of leases reads its addresses in rounds of a few hundred, each under the lock, and
     * waits for the newest entry of each round; writers go on between rounds, so a long page never
     * holds them up for more than one round.
     */
    <T> T read(Supplier<T> body) {
        while (true) {
            T result;
            long seen;
            lock.lock();
            try {
                result = body.get();
                seen = appliedSeq;
            } finally {
                lock.unlock();
            }
            if (awaitDurable(seen)) {
                return result;
            }
            // The batch failed and was rolled back: read the (now durable) state again.
        }
    }

    /**
     * Runs {@code body} under the lock, then waits until the newest record it saw
     * ({@code newest}: a sequence number, 0 for none) is durable; repeated if that batch fails.
     */
    <T> T read(Supplier<T> body, ToLongFunction<T> newest) {
        while (true) {
            T result;
            lock.lock();
            try {
                result = body.get();
            } finally {
                lock.unlock();
            }
            if (awaitDurable(newest.applyAsLong(result))) {
                return result;
            }
        }
    }
}
