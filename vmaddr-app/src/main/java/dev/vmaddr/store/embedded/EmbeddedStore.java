package dev.vmaddr.store.embedded;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.CommitListener;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryStore;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.MacStore;
import dev.vmaddr.store.NetworkStore;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: an append-only, checksummed log with group commit, periodic snapshots, and
 * the whole current state in memory.
 *
 * <h2>Files ({@code dataDir})</h2>
 * {@code lock} (held with {@link FileChannel#tryLock} while open), log segments
 * {@code log-<first seq>.wal}, snapshots {@code snapshot-<last seq>.snap}; see {@link Frames},
 * {@link RecordCodec}, {@link SnapshotFile}, {@link Recovery}.
 *
 * <h2>Concurrency design</h2>
 * One {@link ReentrantReadWriteLock} guards the in-memory state and the open batch.
 * <ol>
 *   <li><b>Sequencing (write lock, microseconds).</b> A writer encodes its record outside the lock,
 *   then under the write lock: checks its condition against the current state (the address is
 *   free or already its own; the MAC is not blocked), takes the next sequence number, appends the
 *   framed record to the open batch, applies the change to memory and keeps its undo. Deciding,
 *   numbering and applying under one lock makes the conditional writes atomic and makes memory
 *   change in exactly log order.</li>
 *   <li><b>Group commit (committer thread).</b> The committer takes the whole open batch (swapping
 *   in an empty one under the write lock), writes it with one {@code write} and makes it durable
 *   with one {@code force}, then publishes {@code durableSeq} and wakes the waiters. While it
 *   fsyncs, new writers fill the next batch, so N concurrent writers share one fsync; there is no
 *   timer and no added latency when a writer is alone.</li>
 *   <li><b>Acknowledgement.</b> A writer returns only once {@code durableSeq} covers its record.</li>
 *   <li><b>Failure.</b> If the write or the fsync throws, the store turns unwritable for good
 *   ({@link #writable()} false): under the write lock every applied-but-not-durable change (the
 *   failed batch and the one filling behind it) is undone newest first, so memory is exactly the
 *   durable state again, and all their writers get {@link StoreException}. Nothing is granted that
 *   was not stored. (The bytes of the failed batch may still reach the disk; recovery would then
 *   replay writes that were reported as failed, which is the usual "outcome unknown" of a failed
 *   commit and never un-grants anything.)</li>
 *   <li><b>Readers (read lock)</b> see memory, which may be ahead of the disk by the batch in
 *   flight. So that nothing a read returns can be lost in a crash or rolled back, a read waits
 *   until what it saw is durable: a lease read waits for that lease's own sequence number (usually
 *   already durable: no wait); other reads wait for the sequence number current when they read
 *   (at most one fsync). If that batch fails, the read is repeated on the rolled-back state. A read
 *   that finds <i>nothing</i> does not wait: acting on an absence means writing, and that write is
 *   ordered after whatever made the absence. A page of leases reads its addresses in rounds of a
 *   few hundred, each under the read lock, and waits for the newest entry of each round; writers
 *   go on between rounds, so a long page never holds them up for more than one round.</li>
 *   <li><b>Snapshots.</b> Between two batches the committer, under the write lock, copies the state
 *   (array copies of the lease tables sharing the immutable {@link LeaseEntry}s, copies of the small
 *   maps: milliseconds for a million leases), starts a new log segment at the next sequence number,
 *   and hands the copy to a snapshot thread that writes it to a temp file, fsyncs, renames it into
 *   place and fsyncs the directory. Writers go on meanwhile. Only then are old files deleted (two
 *   snapshot generations and the segments the older one needs are kept).</li>
 * </ol>
 * History (derived lease and MAC events plus {@link HistoryStore#append}) lives in the state and in
 * snapshots, capped at {@link Options#historyMaxEvents} events and pruned past
 * {@link Options#historyRetention} at each snapshot.
 */
public final class EmbeddedStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);

    /**
     * Tuning.
     *
     * @param snapshotEveryRecords start a snapshot after this many log records since the last one
     * @param snapshotEveryBytes   ... or once the current log segment is this large
     * @param historyMaxEvents     history events kept (newest)
     * @param historyRetention     history events older than this are dropped at snapshots
     * @param logFiles             how log segments are opened (tests inject failures here)
     * @param commitDelay          while writes keep coming, how long the committer lets a batch
     *                             fill before its fsync (PostgreSQL's commit_delay); zero for none
     */
    public record Options(long snapshotEveryRecords, long snapshotEveryBytes, int historyMaxEvents,
                          Duration historyRetention, LogFile.Opener logFiles, Duration commitDelay) {
        public Options {
            if (snapshotEveryRecords < 1) {
                throw new IllegalArgumentException("snapshotEveryRecords must be positive: " + snapshotEveryRecords);
            }
            if (snapshotEveryBytes < 1) {
                throw new IllegalArgumentException("snapshotEveryBytes must be positive: " + snapshotEveryBytes);
            }
            if (historyMaxEvents < 1) {
                throw new IllegalArgumentException("historyMaxEvents must be positive: " + historyMaxEvents);
            }
            Objects.requireNonNull(historyRetention, "historyRetention");
            Objects.requireNonNull(logFiles, "logFiles");
            if (commitDelay.isNegative()) {
                throw new IllegalArgumentException("commitDelay must not be negative: " + commitDelay);
            }
        }

        public static Options defaults() {
            return new Options(500_000, 64L << 20, 200_000, Duration.ofDays(400), LogFile.FILES, Duration.ofMillis(1));
        }

        public Options withSnapshotEveryRecords(long n) {
            return new Options(n, snapshotEveryBytes, historyMaxEvents, historyRetention, logFiles, commitDelay);
        }

        public Options withHistoryMaxEvents(int n) {
            return new Options(snapshotEveryRecords, snapshotEveryBytes, n, historyRetention, logFiles, commitDelay);
        }

        public Options withLogFiles(LogFile.Opener opener) {
            return new Options(snapshotEveryRecords, snapshotEveryBytes, historyMaxEvents, historyRetention, opener,
                    commitDelay);
        }

        public Options withCommitDelay(Duration delay) {
            return new Options(snapshotEveryRecords, snapshotEveryBytes, historyMaxEvents, historyRetention, logFiles,
                    delay);
        }
    }

    /**
     * Records appended since the committer last took the batch. Contents guarded by the write lock;
     * {@link #outcome} is published by the committer, and the batch's writers wait on the batch
     * itself, so a commit wakes exactly its own writers (not every waiting thread).
     */
    static final class Batch {
        static final int PENDING = 0;
        static final int DURABLE = 1;
        static final int FAILED = 2;

        final Bytes bytes;
        final List<Runnable> undos = new ArrayList<>();
        volatile long lastSeq; // written under the write lock; read by a deferring writer after it
        int count;
        boolean deferredWriters; // a writer that does not wait for this batch appended to it
        private volatile int outcome = PENDING;

        /**
         * 128 KiB holds the largest batches the DHCP server makes at 16,000 leases/s (~950 records).
         * A buffer that has to grow mid-run is not only a copy: the JIT compiled the append path
         * without the growth branch (never taken while traffic was light), so its first use
         * deoptimizes every method the append was inlined into, the whole request path included.
         */
        Batch() {
            this(new Bytes(128 << 10));
        }

        /** With a recycled, empty buffer: a new array per batch was the DHCP server's largest source of garbage (JFR). */
        Batch(Bytes emptyBuffer) {
            this.bytes = emptyBuffer;
        }

        synchronized void finish(int result) {
            outcome = result;
            notifyAll();
        }

        /** True when durable, false when failed. */
        boolean await() {
            if (outcome == PENDING) {
                synchronized (this) {
                    while (outcome == PENDING) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new StoreException("interrupted while waiting for a write to become durable", e);
                        }
                    }
                }
            }
            return outcome == DURABLE;
        }
    }

    /** A batch this large is synced without waiting out the commit delay. */
    static final int FULL_BATCH = 256;

    private final Path dir;
    private final Clock clock;
    private final Options options;
    private final FileChannel lockChannel;
    private final FileLock dirLock;

    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final Lock readLock = rw.readLock();
    final Lock writeLock = rw.writeLock();
    private final Condition committerWake = writeLock.newCondition();

    // Guarded by the write lock.
    final StoreState state;
    private Batch open = new Batch();
    long appliedSeq;
    private boolean closing;
    private CompletableFuture<Void> snapshotRequest;
    private boolean snapshotRunning;

    // Durability, published by the committer.
    private final Object durableMonitor = new Object();
    private volatile long durableSeq;
    private volatile Throwable failure;
    private volatile boolean writable = true;

    // Callbacks of deferred writers (DeferredDurability), run in order of registration by whichever
    // thread sees them due — normally the committer right after an fsync. One drainer at a time, so
    // a callback runs exactly once; a waiter whose mark is not durable yet holds back those behind it
    // until the next commit, which is never long since every mark is at most appliedSeq.
    private record Waiter(long mark, Consumer<Boolean> then) { }

    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final ReentrantLock waiterDrain = new ReentrantLock();
    private final DeferredDurability.Log deferredLog = this::whenDurable;
    private volatile CommitListener commitListener = CommitListener.NONE;
    private volatile boolean committerDone;

    // Owned by the committer thread (set up before it starts).
    private LogFile log;
    private long segmentStart;
    private long segmentBytes;
    private long recordsSinceSnapshot;
    private long batchesCommitted;
    private long recordsCommitted;
    private final AtomicReference<Bytes> spareBuffer = new AtomicReference<>(); // set by the committer, taken under the write lock
    private long lastCommitEnd = Long.MIN_VALUE / 2; // System.nanoTime() after the last fsync

    private final Thread committer;
    private final ExecutorService snapshotter;

    private final LeaseStore leaseStore = new EmbeddedLeases(this);
    private final MacStore macStore = new EmbeddedMacs(this);
    private final NetworkStore networkStore = new EmbeddedNetworks(this);
    private final DocumentStore documentStore = new EmbeddedDocuments(this);
    private final HistoryStore historyStore = new EmbeddedHistory(this);

    /**
     * Opens (creating when needed) the store in {@code dataDir}: takes the directory lock, loads the
     * newest good snapshot, replays the log after it (cutting a torn tail), and starts the committer.
     *
     * @throws StoreException when the directory is locked by another process or cannot be read
     */
    public static EmbeddedStore open(Path dataDir, Clock clock, Options options) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(options, "options");
        try {
            return new EmbeddedStore(dataDir, clock, options);
        } catch (IOException e) {
            throw new StoreException("cannot open the store in " + dataDir + ": " + e, e);
        }
    }

    private EmbeddedStore(Path dataDir, Clock clock, Options options) throws IOException {
        this.dir = dataDir;
        this.clock = clock;
        this.options = options;
        Files.createDirectories(dataDir);
        Path lockFile = dataDir.resolve("lock");
        this.lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new StoreException("data directory " + dataDir + " is in use by another vmaddr process (lock file "
                    + lockFile + " is locked); stop that process or choose another dataDir");
        }
        this.dirLock = l;
        try {
            long started = System.nanoTime();
            Recovery.Result r = Recovery.recover(dataDir, () -> new StoreState(options.historyMaxEvents()));
            this.state = r.state();
            state.pruneHistory(clock.instant().minus(options.historyRetention()));
            this.appliedSeq = r.lastSeq();
            this.durableSeq = r.lastSeq();
            if (r.tail() != null) {
                this.segmentStart = DataDir.segments(dataDir).stream().filter(s -> s.path().equals(r.tail()))
                        .findFirst().orElseThrow().seq();
                this.log = options.logFiles().open(r.tail(), r.tailEnd());
            } else {
                this.segmentStart = r.lastSeq() + 1;
                this.log = options.logFiles().open(DataDir.segment(dataDir, segmentStart), 0);
                DataDir.sync(dataDir);
            }
            this.segmentBytes = log.size();
            this.recordsSinceSnapshot = r.lastSeq() - r.snapshotSeq();
            LOG.info(LogEvents.STORE_OPENED + " dataDir={} snapshotSeq={} lastSeq={} leases={} millis={}", dataDir,
                    r.snapshotSeq(), r.lastSeq(), state.leaseCount, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            dirLock.release();
            lockChannel.close();
            throw e;
        }
        this.snapshotter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vmaddr-store-snapshot");
            t.setDaemon(true);
            return t;
        });
        this.committer = new Thread(this::commitLoop, "vmaddr-store-committer");
        committer.setDaemon(true);
        committer.start();
    }

    @Override
    public NetworkStore networks() {
        return networkStore;
    }

    @Override
    public LeaseStore leases() {
        return leaseStore;
    }

    @Override
    public MacStore macs() {
        return macStore;
    }

    @Override
    public DocumentStore documents() {
        return documentStore;
    }

    @Override
    public HistoryStore history() {
        return historyStore;
    }

    @Override
    public boolean writable() {
        return writable;
    }

    /**
     * Writes a snapshot of the current state now and compacts the log; returns once the snapshot is
     * durable.
     */
    public void snapshot() {
        CompletableFuture<Void> f;
        writeLock.lock();
        try {
            ensureWritable();
            if (snapshotRequest == null) {
                snapshotRequest = new CompletableFuture<>();
            }
            f = snapshotRequest;
            committerWake.signal();
        } finally {
            writeLock.unlock();
        }
        try {
            f.join();
        } catch (CompletionException e) {
            throw new StoreException("snapshot failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            committerWake.signal();
        } finally {
            writeLock.unlock();
        }
        try {
            committer.join();
            snapshotter.shutdown();
            if (!snapshotter.awaitTermination(5, TimeUnit.MINUTES)) {
                LOG.warn(LogEvents.STORE_CLOSE_SNAPSHOT_TIMEOUT + " dataDir={}", dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info(LogEvents.STORE_CLOSED + " dataDir={} batches={} records={} recordsPerFsync={}", dir, batchesCommitted,
                recordsCommitted, batchesCommitted == 0 ? 0 : recordsCommitted / batchesCommitted);
        try {
            log.close();
        } catch (IOException e) {
            LOG.warn(LogEvents.STORE_CLOSE_FAILED + " dataDir={} error=\"{}\"", dir, e.toString());
        }
        try {
            dirLock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn(LogEvents.STORE_CLOSE_UNLOCK_FAILED + " dataDir={} error=\"{}\"", dir, e.toString());
        }
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

    static Bytes encode(Op op) {
        Bytes b = new Bytes(128);
        RecordCodec.encode(op, b);
        return b;
    }

    /**
     * Under the write lock: numbers, frames, applies one record ({@code op} gets its sequence
     * number). Returns the batch to wait for.
     */
    Batch appendLocked(Bytes payload, LongFunction<Op> op) {
        long seq = appliedSeq + 1;
        Op o = op.apply(seq);
        Frames.append(open.bytes, seq, payload.buf, payload.len);
        appliedSeq = seq;
        open.undos.add(state.apply(o, true));
        open.lastSeq = seq;
        if (!open.deferredWriters && DeferredDurability.current() != null) {
            open.deferredWriters = true;
        }
        if (open.count++ == 0 || open.count == FULL_BATCH) {
            committerWake.signal();
        }
        return open;
    }

    /** Unconditional write: sequence, then wait until durable. */
    void write(Op op) {
        Bytes payload = encode(op);
        Batch batch;
        writeLock.lock();
        try {
            ensureWritable();
            batch = appendLocked(payload, s -> op);
        } finally {
            writeLock.unlock();
        }
        awaitAcknowledged(batch);
    }

    /**
     * A removal: written, then waited for until durable, only when {@code present} (asked under the
     * write lock) finds something to remove. Returns false, having written nothing, otherwise.
     */
    boolean removeIfPresent(Op op, BooleanSupplier present) {
        Bytes payload = encode(op);
        Batch batch;
        writeLock.lock();
        try {
            ensureWritable();
            if (!present.getAsBoolean()) {
                return false;
            }
            batch = appendLocked(payload, s -> op);
        } finally {
            writeLock.unlock();
        }
        awaitAcknowledged(batch);
        return true;
    }

    void awaitAcknowledged(Batch batch) {
        if (deferredTo(batch.lastSeq)) {
            return;
        }
        if (!batch.await()) {
            throw new StoreException("write was not made durable: " + failure, failure);
        }
    }

    /** For a decision made on state that may not be durable yet (a conflict, a refused claim). */
    void awaitAcknowledged(long seq) {
        if (!awaitDurable(seq)) {
            throw new StoreException("write was not made durable: " + failure, failure);
        }
    }

    /** In a deferred scope: makes the scope's outcome depend on {@code mark}, and true (do not wait). */
    private boolean deferredTo(long mark) {
        DeferredDurability deferred = DeferredDurability.current();
        if (deferred == null) {
            return false;
        }
        deferred.require(deferredLog, mark);
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

    private void commitLoop() {
        try {
            commitBatches();
        } finally {
            committerDone = true;
            drainWaiters();
        }
    }

    private void commitBatches() {
        while (true) {
            Batch batch;
            StoreState.Copy copy = null;
            long copySeq = 0;
            CompletableFuture<Void> request = null;
            writeLock.lock();
            try {
                while (open.count == 0 && !closing && !snapshotDue()) {
                    committerWake.awaitUninterruptibly();
                }
                letBatchFill();
                if (open.count == 0 && closing) {
                    if (snapshotRequest != null) {
                        snapshotRequest.completeExceptionally(new StoreException("store closed"));
                    }
                    return;
                }
                batch = open;
                Bytes recycled = spareBuffer.getAndSet(null);
                open = recycled == null ? new Batch() : new Batch(recycled);
                if (snapshotDue() || (!snapshotRunning && recordsSinceSnapshot + batch.count >= options.snapshotEveryRecords())
                        || (!snapshotRunning && segmentBytes + batch.bytes.len >= options.snapshotEveryBytes())) {
                    state.pruneHistory(clock.instant().minus(options.historyRetention()));
                    copy = state.copy();
                    copySeq = appliedSeq;
                    request = snapshotRequest;
                    snapshotRequest = null;
                    snapshotRunning = true;
                }
            } finally {
                writeLock.unlock();
            }
            if (batch.count > 0 && !commit(batch)) {
                if (request != null) {
                    request.completeExceptionally(failure);
                }
                return;
            }
            if (copy != null && !rotate(copySeq, copy, request)) {
                return;
            }
        }
    }

    /**
     * Group commit's other half, for writers that do not wait ({@link DeferredDurability}: the DHCP
     * receiver). Blocking writers batch themselves — they pile up while an fsync runs and cannot add
     * more than their number — so a pause would only slow them (it halved GroupCommitBenchmark).
     * A deferring writer never stops, and without a pause the committer would sync as soon as one
     * of its records is there: batches stay tiny and each fsync costs the CPU of dozens of requests.
     * So while a batch holds deferred writes and writes keep coming (the last fsync ended less than
     * two delays ago) the batch may fill for up to {@code commitDelay} — but only while it
     * grows: it is synced as soon as a fifth of the delay passes without a new record (every waiting
     * writer is in; blocking writers cannot add more), or at {@link #FULL_BATCH} records. An idle
     * store syncs a lone write at once. Under the write lock, which {@code awaitNanos} releases.
     */
    private void letBatchFill() {
        long delay = options.commitDelay().toNanos();
        if (delay == 0 || !open.deferredWriters || System.nanoTime() - lastCommitEnd > 2 * delay) {
            return;
        }
        long deadline = System.nanoTime() + delay;
        long slice = delay / 5;
        int seen = 0;
        while (open.count > seen && open.count < FULL_BATCH && !closing) {
            seen = open.count;
            long wait = Math.min(slice, deadline - System.nanoTime());
            if (wait <= 0) {
                return;
            }
            try {
                committerWake.awaitNanos(wait);
            } catch (InterruptedException e) {
                return; // nobody interrupts the committer; keeping the flag would close the log (FileChannel)
            }
        }
    }

    /** An explicit snapshot was asked for and none is being written. Under the write lock. */
    private boolean snapshotDue() {
        return snapshotRequest != null && !snapshotRunning;
    }

    /** Writes and fsyncs one batch; on failure rolls back and fails the store. */
    private boolean commit(Batch batch) {
        long before = segmentBytes;
        long started = System.nanoTime();
        try {
            log.write(ByteBuffer.wrap(batch.bytes.buf, 0, batch.bytes.len));
            log.force();
        } catch (Throwable e) {
            fail(batch, e, before);
            return false;
        }
        lastCommitEnd = System.nanoTime();
        commitListener.committed(lastCommitEnd - started, batch.count);
        segmentBytes += batch.bytes.len;
        recordsSinceSnapshot += batch.count;
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
            drainWaiters();
        }
        return true;
    }

    private void fail(Batch batch, Throwable e, long sizeBefore) {
        Batch failedOpen;
        writeLock.lock();
        try {
            writable = false;
            failure = e;
            undo(open);
            undo(batch);
            failedOpen = open;
            open = new Batch();
            appliedSeq = durableSeq;
        } finally {
            writeLock.unlock();
        }
        synchronized (durableMonitor) {
            durableMonitor.notifyAll();
        }
        failedOpen.finish(Batch.FAILED);
        batch.finish(Batch.FAILED);
        drainWaiters();
        LOG.error(LogEvents.STORE_WRITE_FAILED + " dataDir={} records={} error=\"{}\" action=\"store is read-only; no write "
                + "is acknowledged until restart\"", dir, batch.count, e.toString());
        try {
            if (sizeBefore >= 0) {
                log.truncate(sizeBefore); // drop the failed batch's bytes, if they got anywhere
            }
        } catch (Throwable t) {
            LOG.warn(LogEvents.STORE_WRITE_TRUNCATE_FAILED + " dataDir={} error=\"{}\"", dir, t.toString());
        }
    }

    @Override
    public void reportCommitsTo(CommitListener listener) {
        commitListener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public boolean defersDurability() {
        return true;
    }

    /** {@link DeferredDurability.Log}: {@code then} learns whether the log reached {@code mark}. */
    private void whenDurable(long mark, Consumer<Boolean> then) {
        if (durableSeq >= mark) {
            then.accept(true);
            return;
        }
        waiters.add(new Waiter(mark, then));
        // The committer may have committed, failed or stopped between the check and the add.
        if (durableSeq >= mark || failure != null || committerDone) {
            drainWaiters();
        }
    }

    /** Runs every waiter that is due: durable, or never will be (a failure, the committer gone). */
    private void drainWaiters() {
        waiterDrain.lock();
        try {
            Waiter w;
            while ((w = waiters.peek()) != null) {
                boolean durable = durableSeq >= w.mark();
                if (!durable && failure == null && !committerDone) {
                    return;
                }
                waiters.poll();
                try {
                    w.then().accept(durable);
                } catch (RuntimeException e) {
                    LOG.error(LogEvents.STORE_DURABLE_CALLBACK_FAILED + " error=\"{}\"", e.toString(), e);
                }
            }
        } finally {
            waiterDrain.unlock();
        }
    }

    private static void undo(Batch batch) {
        for (int i = batch.undos.size() - 1; i >= 0; i--) {
            batch.undos.get(i).run();
        }
    }

    /** Starts a new segment after {@code copySeq} and hands the copy to the snapshot thread. */
    private boolean rotate(long copySeq, StoreState.Copy copy, CompletableFuture<Void> request) {
        if (segmentStart != copySeq + 1) {
            try {
                log.close();
                log = options.logFiles().open(DataDir.segment(dir, copySeq + 1), 0);
                DataDir.sync(dir);
            } catch (Throwable e) {
                fail(new Batch(), e, -1);
                if (request != null) {
                    request.completeExceptionally(e);
                }
                return false;
            }
            segmentStart = copySeq + 1;
            segmentBytes = 0;
        }
        recordsSinceSnapshot = 0; // the copy was taken after the last committed batch
        snapshotter.execute(() -> writeSnapshot(copySeq, copy, request));
        return true;
    }

    private void writeSnapshot(long seq, StoreState.Copy copy, CompletableFuture<Void> request) {
        long started = System.nanoTime();
        try {
            SnapshotFile.write(dir, seq, copy);
            deleteOldFiles();
            LOG.info(LogEvents.STORE_SNAPSHOT_WRITTEN + " dataDir={} seq={} millis={}", dir, seq,
                    (System.nanoTime() - started) / 1_000_000);
            if (request != null) {
                request.complete(null);
            }
        } catch (Throwable e) {
            LOG.error(LogEvents.STORE_SNAPSHOT_FAILED + " dataDir={} seq={} error=\"{}\"", dir, seq, e.toString());
            try {
                Files.deleteIfExists(DataDir.snapshot(dir, seq).resolveSibling(
                        DataDir.snapshot(dir, seq).getFileName() + ".tmp"));
            } catch (IOException ignored) {
                // the next snapshot overwrites it
            }
            if (request != null) {
                request.completeExceptionally(e);
            }
        } finally {
            writeLock.lock();
            try {
                snapshotRunning = false;
                committerWake.signal();
            } finally {
                writeLock.unlock();
            }
        }
    }

    /** Keeps the two newest snapshots and the segments the older of them needs. */
    private void deleteOldFiles() throws IOException {
        List<DataDir.Numbered> snaps = DataDir.snapshots(dir);
        if (snaps.size() < 2) {
            return;
        }
        long keepFrom = snaps.get(snaps.size() - 2).seq();
        for (int i = 0; i < snaps.size() - 2; i++) {
            Files.deleteIfExists(snaps.get(i).path());
        }
        List<DataDir.Numbered> segs = DataDir.segments(dir);
        for (int i = 0; i + 1 < segs.size(); i++) {
            if (segs.get(i + 1).seq() <= keepFrom + 1) {
                Files.deleteIfExists(segs.get(i).path());
            }
        }
        DataDir.sync(dir);
    }

    // ---------------------------------------------------------------- read path

    /** Runs {@code body} under the read lock, then waits until what it saw is durable. */
    <T> T read(Supplier<T> body) {
        while (true) {
            T result;
            long seen;
            readLock.lock();
            try {
                result = body.get();
                seen = appliedSeq;
            } finally {
                readLock.unlock();
            }
            if (awaitDurable(seen)) {
                return result;
            }
            // The batch failed and was rolled back: read the (now durable) state again.
        }
    }

    /** Reads one lease entry and waits until that entry is durable. */
    LeaseEntry readEntry(Supplier<LeaseEntry> body) {
        while (true) {
            LeaseEntry e;
            readLock.lock();
            try {
                e = body.get();
            } finally {
                readLock.unlock();
            }
            if (e == null || e == LeaseTable.STALE || awaitDurable(e.seq())) {
                return e;
            }
        }
    }

    /**
     * Reads several lease entries and waits until the newest of them is durable, so that none of them
     * can be lost or rolled back (a page of leases: everything it looked at, returned or not). If
     * that batch fails, the read is repeated on the rolled-back state.
     */
    LeaseEntry[] readEntries(Supplier<LeaseEntry[]> body) {
        while (true) {
            LeaseEntry[] entries;
            readLock.lock();
            try {
                entries = body.get();
            } finally {
                readLock.unlock();
            }
            long newest = 0;
            for (LeaseEntry e : entries) {
                newest = Math.max(newest, e.seq());
            }
            if (awaitDurable(newest)) {
                return entries;
            }
        }
    }

    static String require(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return value;
    }
}
