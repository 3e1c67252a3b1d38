package dev.vmaddr.store.embedded;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.CommitListener;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryStore;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.MacStore;
import dev.vmaddr.store.NetworkStore;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: an append-only, checksummed log with group commit, periodic snapshots, and
 * the whole current state in memory. This class opens, recovers and wires the parts.
 *
 * <h2>Files ({@code dataDir})</h2>
 * {@code lock} ({@link DataDirLock}), log segments {@code log-<first seq>.wal}, snapshots
 * {@code snapshot-<last seq>.snap}; see {@link Frames}, {@link RecordCodec}, {@link SnapshotFile},
 * {@link Recovery}.
 *
 * <h2>Concurrency design</h2>
 * One lock, {@link GroupCommitLog}'s, guards the in-memory {@link StoreState} and the
 * open batch. Each step is written at the code it explains:
 * <ol>
 *   <li><b>Sequencing</b> under the lock: decide, number, append, apply
 *   ({@link GroupCommitLog#appendIf});</li>
 *   <li><b>Group commit</b>: one write and one fsync per batch on the committer thread
 *   ({@link GroupCommitLog#commitNext}), with a commit delay for writers that do not wait
 *   ({@link CommitDelay});</li>
 *   <li><b>Acknowledgement</b> once durable ({@link GroupCommitLog#await});</li>
 *   <li><b>Failure</b>: undo what is not durable, turn read-only ({@link GroupCommitLog}{@code .fail});</li>
 *   <li><b>Readers</b> under the same lock wait for what they saw to be durable
 *   ({@link GroupCommitLog#read});</li>
 *   <li><b>Snapshots</b> copied between two batches, written beside the writers ({@link Snapshotter}).</li>
 * </ol>
 * The facades ({@link EmbeddedLeases}, {@link EmbeddedMacs}, {@link EmbeddedNetworks},
 * {@link EmbeddedDocuments}, {@link EmbeddedHistory}) only say what a write's precondition is and
 * what a read looks at. History (derived lease and MAC events plus {@link HistoryStore#append}) lives
 * in the state and in snapshots, capped at {@link Options#historyMaxEvents} events and pruned past
 * {@link Options#historyRetention} at each snapshot.
 */
public final class EmbeddedStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);

    static {
        Bytes.profileGrowth(); // once per process, before any store appends (see there)
    }

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

        public Options withHistoryRetention(Duration keep) {
            return new Options(snapshotEveryRecords, snapshotEveryBytes, historyMaxEvents, keep, logFiles, commitDelay);
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

    private final Path dir;
    private final DataDirLock dirLock;
    private final GroupCommitLog log;
    private final Snapshotter snapshotter;

    private final LeaseStore leaseStore;
    private final MacStore macStore;
    private final NetworkStore networkStore;
    private final DocumentStore documentStore;
    private final HistoryStore historyStore;

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
        Files.createDirectories(dataDir);
        this.dirLock = DataDirLock.take(dataDir);
        Recovery.Result r;
        try {
            long started = System.nanoTime();
            r = Recovery.recover(dataDir, () -> new StoreState(options.historyMaxEvents()));
            StoreState recovered = r.state();
            recovered.pruneHistory(clock.instant().minus(options.historyRetention()));
            this.log = new GroupCommitLog(dataDir, LogSegments.open(dataDir, options.logFiles(), r), r.lastSeq(),
                    options.commitDelay(), op -> recovered.apply(op, true), System::nanoTime);
            LOG.info(LogEvents.STORE_OPENED + " dataDir={} snapshotSeq={} lastSeq={} leases={} millis={}", dataDir,
                    r.snapshotSeq(), r.lastSeq(), recovered.leaseCount, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            dirLock.close();
            throw e;
        }
        StoreState state = r.state();
        this.snapshotter = new Snapshotter(dataDir, clock, options, state, log, r.lastSeq() - r.snapshotSeq());
        this.leaseStore = new EmbeddedLeases(log, state);
        this.macStore = new EmbeddedMacs(log, state);
        this.networkStore = new EmbeddedNetworks(log, state);
        this.documentStore = new EmbeddedDocuments(log, state);
        this.historyStore = new EmbeddedHistory(log, state);
        log.start(snapshotter);
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
        return log.writable();
    }

    @Override
    public void reportCommitsTo(CommitListener listener) {
        log.reportCommitsTo(listener);
    }

    @Override
    public boolean defersDurability() {
        return true;
    }

    /**
     * Writes a snapshot of the current state now and compacts the log; returns once the snapshot is
     * durable.
     */
    public void snapshot() {
        snapshotter.snapshotNow();
    }

    @Override
    public void close() {
        if (!log.close()) {
            return;
        }
        snapshotter.close();
        long batches = log.batchesCommitted();
        long records = log.recordsCommitted();
        LOG.info(LogEvents.STORE_CLOSED + " dataDir={} batches={} records={} recordsPerFsync={}", dir, batches, records,
                batches == 0 ? 0 : records / batches);
        try {
            dirLock.close();
        } catch (IOException e) {
            LOG.warn(LogEvents.STORE_CLOSE_UNLOCK_FAILED + " dataDir={} error=\"{}\"", dir, e.toString());
        }
    }

    static String require(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return value;
    }
}
