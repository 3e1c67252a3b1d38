package dev.vmaddr.store.embedded;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.StoreException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the state at start: the newest snapshot that passes its checks, then every log record
 * after it, in sequence order.
 *
 * <p>A bad frame (short header, short record, bad length, checksum mismatch, unexpected sequence
 * number, undecodable payload) ends the log: the segment is cut at the last good record and
 * {@code event=store.recovery.truncated} is logged. This is the torn tail a crash leaves, and it
 * never held an acknowledged write (a write is acknowledged only after its batch is fsynced, and
 * batches are appended in order). A bad frame <em>followed by good ones</em> (bit rot in the
 * middle of a segment) is handled the same way, on purpose: records after a hole cannot be
 * applied without the ones in it, so we cut there too, keep the cut-off bytes beside the segment
 * ({@code .corrupt-OFFSET}) and later segments (renamed {@code .corrupt}) for an operator, and log
 * at ERROR. Starting with a consistent prefix beats refusing to start.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /**
     * @param lastSeq    the last record applied
     * @param snapshotSeq the sequence of the snapshot loaded (0 when none)
     * @param tail       the segment to append to, or null when a new one must be started
     * @param tailEnd     where the records of that segment end (preallocated zeros may follow)
     */
    record Result(StoreState state, long lastSeq, long snapshotSeq, Path tail, long tailEnd) {}

    private Recovery() {}

    static Result recover(Path dir, Supplier<StoreState> newState) throws IOException {
        StoreState state = newState.get();
        long snapshotSeq = 0;
        List<DataDir.Numbered> snapshots = DataDir.snapshots(dir);
        for (int i = snapshots.size() - 1; i >= 0; i--) {
            DataDir.Numbered s = snapshots.get(i);
            StoreState candidate = newState.get();
            String problem = SnapshotFile.load(s.path(), s.seq(), candidate);
            if (problem == null) {
                state = candidate;
                snapshotSeq = s.seq();
                break;
            }
            LOG.error(LogEvents.STORE_RECOVERY_SNAPSHOT_REJECTED + " file={} reason=\"{}\" action=\"trying an older snapshot\"",
                    s.path(), problem);
            Files.move(s.path(), s.path().resolveSibling(s.path().getFileName() + ".corrupt"),
                    StandardCopyOption.REPLACE_EXISTING);
        }

        List<DataDir.Numbered> segments = DataDir.segments(dir);
        long expected = snapshotSeq + 1;
        Path tail = null;
        long tailEnd = 0;
        for (int i = 0; i < segments.size(); i++) {
            DataDir.Numbered seg = segments.get(i);
            long nextStart = i + 1 < segments.size() ? segments.get(i + 1).seq() : Long.MAX_VALUE;
            if (nextStart <= expected) {
                continue; // every record of this segment is in the snapshot
            }
            if (seg.seq() > expected) {
                throw new StoreException("data directory " + dir + " is missing log records " + expected + " to "
                        + (seg.seq() - 1) + " (next file " + seg.path().getFileName() + "); restore the missing files or "
                        + "move the later ones away to start from what is there");
            }
            Replay r = replay(seg, expected, state);
            expected = r.next;
            tail = seg.path();
            tailEnd = r.end;
            if (r.cut) {
                for (int j = i + 1; j < segments.size(); j++) {
                    Path later = segments.get(j).path();
                    Files.move(later, later.resolveSibling(later.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
                    LOG.error(LogEvents.STORE_RECOVERY_SEGMENT_DROPPED + " file={} reason=\"follows a cut segment\"", later);
                }
                break;
            }
        }
        return new Result(state, expected - 1, snapshotSeq, tail, tailEnd);
    }

    private record Replay(long next, long end, boolean cut) {}

    private static Replay replay(DataDir.Numbered seg, long expected, StoreState state) throws IOException {
        long seq = seg.seq();
        String reason = null;
        long goodEnd;
        long size;
        try (FileChannel ch = FileChannel.open(seg.path(), StandardOpenOption.READ)) {
            size = ch.size();
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            while (true) {
                int at = buf.position();
                Frames.Read r = Frames.next(buf);
                if (r instanceof Frames.End) {
                    break;
                }
                if (r instanceof Frames.Bad b) {
                    reason = b.reason();
                    break;
                }
                Frames.Good g = (Frames.Good) r;
                if (g.seq() != seq) {
                    reason = "sequence " + g.seq() + " where " + seq + " was expected";
                    buf.position(at);
                    break;
                }
                if (seq >= expected) {
                    Op op;
                    try {
                        op = RecordCodec.decode(g.payload(), seq);
                    } catch (RuntimeException e) {
                        reason = "undecodable record: " + e;
                        buf.position(at);
                        break;
                    }
                    state.apply(op, true);
                }
                seq++;
            }
            goodEnd = buf.position();
        }
        if (reason == null) {
            return new Replay(Math.max(seq, expected), goodEnd, false);
        }
        cut(seg.path(), goodEnd, size, reason);
        return new Replay(Math.max(seq, expected), goodEnd, true);
    }

    /** Keeps the bytes after {@code offset} in a side file, then truncates the segment there and fsyncs it. */
    private static void cut(Path file, long offset, long size, String reason) throws IOException {
        Path kept = file.resolveSibling(file.getFileName() + ".corrupt-" + offset);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel side = FileChannel.open(kept, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.transferTo(offset, size - offset, side);
            side.force(true);
            ch.truncate(offset);
            ch.force(true);
        }
        DataDir.sync(file.getParent());
        LOG.warn(LogEvents.STORE_RECOVERY_TRUNCATED + " file={} offset={} reason=\"{}\" discardedBytes={} keptIn={}",
                file, offset, reason, size - offset, kept.getFileName());
        if (size - offset >= Frames.HEADER * 2 && looksLikeMoreRecords(kept)) {
            LOG.error(LogEvents.STORE_RECOVERY_CORRUPTION_MID_LOG + " file={} offset={} reason=\"{}\" "
                    + "detail=\"valid-looking records follow the cut; they were discarded (kept in {})\"", file, offset,
                    reason, kept.getFileName());
        }
    }

    /** Whether any offset past the first bad frame starts a frame whose checksum is right. */
    private static boolean looksLikeMoreRecords(Path kept) throws IOException {
        try (FileChannel ch = FileChannel.open(kept, StandardOpenOption.READ)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            int limit = (int) Math.min(ch.size(), 1 << 20);
            for (int i = 1; i + Frames.HEADER < limit; i++) {
                buf.position(i);
                if (Frames.next(buf) instanceof Frames.Good) {
                    return true;
                }
            }
            return false;
        }
    }
}
