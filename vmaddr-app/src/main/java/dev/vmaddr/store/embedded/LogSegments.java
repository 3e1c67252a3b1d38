package dev.vmaddr.store.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The log segment the committer appends batches to, and the switch to a new one when a snapshot
 * makes the old ones unnecessary. Used by the committer thread alone (opened before it starts).
 */
final class LogSegments {
    private final Path dir;
    private final LogFile.Opener files;
    private LogFile current;
    private long start; // sequence number of the current segment's first record
    private long bytes; // of records in the current segment

    private LogSegments(Path dir, LogFile.Opener files, LogFile current, long start) throws IOException {
        this.dir = dir;
        this.files = files;
        this.current = current;
        this.start = start;
        this.bytes = current.size();
    }

    /** Over what recovery found: appends to its tail segment, or starts a new one after its last record. */
    static LogSegments open(Path dir, LogFile.Opener files, Recovery.Result recovered) throws IOException {
        if (recovered.tail() != null) {
            long start = DataDir.segments(dir).stream().filter(s -> s.path().equals(recovered.tail()))
                    .findFirst().orElseThrow().seq();
            return new LogSegments(dir, files, files.open(recovered.tail(), recovered.tailEnd()), start);
        }
        long start = recovered.lastSeq() + 1;
        LogFile fresh = files.open(DataDir.segment(dir, start), 0);
        DataDir.sync(dir);
        return new LogSegments(dir, files, fresh, start);
    }

    /** Bytes of records in the current segment. */
    long bytes() {
        return bytes;
    }

    /** One {@code write} and one {@code force} for a whole batch of framed records. */
    void append(Bytes batch) throws IOException {
        current.write(ByteBuffer.wrap(batch.buf, 0, batch.len));
        current.force();
        bytes += batch.len;
    }

    /** Cuts the current segment back to {@code size} bytes (after a failed batch: best effort). */
    void truncate(long size) throws IOException {
        current.truncate(size);
    }

    /** Continues in a new segment whose first record is {@code firstSeq}, unless the current one starts there. */
    void startAt(long firstSeq) throws IOException {
        if (start == firstSeq) {
            return;
        }
        current.close();
        current = files.open(DataDir.segment(dir, firstSeq), 0);
        DataDir.sync(dir);
        start = firstSeq;
        bytes = 0;
    }

    void close() throws IOException {
        current.close();
    }
}
