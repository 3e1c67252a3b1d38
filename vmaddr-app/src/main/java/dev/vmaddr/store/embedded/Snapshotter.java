package dev.vmaddr.store.embedded;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.compact.LeaseEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <b>6. Snapshots.</b> Between two batches the committer, under the lock, copies the state
 * (array copies of the lease tables sharing the immutable {@link LeaseEntry}s, copies of the small
 * maps: milliseconds for a million leases), starts a new log segment at the next sequence number,
 * and hands the copy to a snapshot thread that writes it to a temp file, fsyncs, renames it into
 * place and fsyncs the directory. Writers go on meanwhile. Only then are old files deleted (two
 * snapshot generations and the segments the older one needs are kept).
 *
 * <p>A snapshot is taken after {@link EmbeddedStore.Options#snapshotEveryRecords} records since the
 * last one, once the log segment reaches {@link EmbeddedStore.Options#snapshotEveryBytes}, or when
 * asked ({@link #snapshotNow}); one at a time. History older than
 * {@link EmbeddedStore.Options#historyRetention} is pruned at each.
 */
final class Snapshotter implements Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshotter.class);

    private final Path dir;
    private final Clock clock;
    private final EmbeddedStore.Options options;
    private final StoreState state;
    private final GroupCommitLog log;
    private final ExecutorService writer;

    // Guarded by the log's lock.
    private CompletableFuture<Void> requested; // asked for and not taken yet
    private boolean running; // a copy is being written
    private long recordsSinceSnapshot;

    // Committer thread: who asked for the copy taken with the batch being committed.
    private CompletableFuture<Void> taken;

    Snapshotter(Path dir, Clock clock, EmbeddedStore.Options options, StoreState state, GroupCommitLog log,
                long recordsSinceSnapshot) {
        this.dir = dir;
        this.clock = clock;
        this.options = options;
        this.state = state;
        this.log = log;
        this.recordsSinceSnapshot = recordsSinceSnapshot;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vmaddr-store-snapshot");
            t.setDaemon(true);
            return t;
        });
    }

    /** Has a snapshot of the current state written now; returns once it is durable. */
    void snapshotNow() {
        CompletableFuture<Void> f = log.wakeCommitter(() -> {
            log.ensureWritable();
            if (requested == null) {
                requested = new CompletableFuture<>();
            }
            return requested;
        });
        try {
            f.join();
        } catch (CompletionException e) {
            throw new StoreException("snapshot failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public boolean due() {
        return requested != null && !running;
    }

    @Override
    public Runnable take(long appliedSeq, int records, long segmentBytes) {
        recordsSinceSnapshot += records;
        boolean grown = recordsSinceSnapshot >= options.snapshotEveryRecords()
                || segmentBytes >= options.snapshotEveryBytes();
        if (running || (requested == null && !grown)) {
            return null;
        }
        state.pruneHistory(clock.instant().minus(options.historyRetention()));
        StoreState.Copy copy = state.copy();
        taken = requested;
        requested = null;
        running = true;
        recordsSinceSnapshot = 0; // the copy holds every record up to appliedSeq
        return () -> rotate(appliedSeq, copy);
    }

    /** On the committer thread, once the batch the copy includes is durable. */
    private void rotate(long seq, StoreState.Copy copy) {
        CompletableFuture<Void> request = taken;
        taken = null;
        if (!log.startSegment(seq + 1)) {
            if (request != null) {
                request.completeExceptionally(log.failure());
            }
            return;
        }
        writer.execute(() -> write(seq, copy, request));
    }

    @Override
    public void stopped(Throwable cause) {
        CompletableFuture<Void> pending = log.underLock(() -> {
            CompletableFuture<Void> r = requested;
            requested = null;
            return r;
        });
        if (taken != null) {
            taken.completeExceptionally(cause);
            taken = null;
        }
        if (pending != null) {
            pending.completeExceptionally(cause);
        }
    }

    private void write(long seq, StoreState.Copy copy, CompletableFuture<Void> request) {
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
            log.wakeCommitter(() -> {
                running = false;
                return null;
            });
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

    /** Waits for a snapshot being written (the committer has stopped, so no new one starts). */
    void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.MINUTES)) {
                LOG.warn(LogEvents.STORE_CLOSE_SNAPSHOT_TIMEOUT + " dataDir={}", dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
