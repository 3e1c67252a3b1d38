package dev.vmaddr.store.embedded;

import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.NetworkSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A snapshot: the full state at one sequence number, as framed records (same frames and record
 * encoding as the log, every frame carrying the snapshot's sequence number) ending with a
 * {@link Op.SnapshotEnd} that counts them. Written to a temporary file, fsynced, renamed into place
 * atomically and the directory fsynced, so a snapshot file either is complete or does not exist;
 * a file that fails its checks anyway (bit rot) is rejected as a whole.
 */
final class SnapshotFile {
    private SnapshotFile() {}

    static void write(Path dir, long seq, StoreState.Copy state) throws IOException {
        Path target = DataDir.snapshot(dir, seq);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
            Writer w = new Writer(out, seq);
            for (NetworkSpec n : state.networks()) {
                w.add(new Op.NetworkPut(n));
            }
            for (Map.Entry<String, IntObjectMap<LeaseEntry>> t : state.leases().entrySet()) {
                String name = t.getKey();
                t.getValue().forEachValue(e -> w.add(new Op.LeasePut(name, e)));
            }
            for (MacRecord m : state.macs()) {
                w.add(new Op.MacPut(m));
            }
            state.documents().forEach((kind, docs) -> docs.forEach((key, json) -> w.add(new Op.DocumentPut(kind, key, json))));
            for (StoredEvent h : state.history()) {
                w.add(new Op.HistoryAppend(h.toEvent()));
            }
            w.add(new Op.SnapshotEnd(w.count));
            w.flush();
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        DataDir.sync(dir);
    }

    /** Encodes ops into frames, flushing to the stream in 64 KiB chunks. */
    private static final class Writer {
        private final OutputStream out;
        private final long seq;
        private final Bytes payload = new Bytes(256);
        private final Bytes frames = new Bytes(1 << 16);
        long count;

        Writer(OutputStream out, long seq) {
            this.out = out;
            this.seq = seq;
        }

        void add(Op op) {
            payload.reset();
            RecordCodec.encode(op, payload);
            Frames.append(frames, seq, payload.buf, payload.len);
            count++;
            if (frames.len > (1 << 16) - 512) {
                flush();
            }
        }

        void flush() {
            try {
                out.write(frames.buf, 0, frames.len);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            frames.reset();
        }
    }

    /**
     * Loads a snapshot into an empty state.
     *
     * @return null when it loaded, otherwise why the file was rejected
     */
    static String load(Path file, long seq, StoreState state) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            long count = 0;
            while (true) {
                int at = buf.position();
                Frames.Read r = Frames.next(buf);
                switch (r) {
                    case Frames.Good g -> {
                        if (g.seq() != seq) {
                            return "record at offset " + at + " has sequence " + g.seq() + ", expected " + seq;
                        }
                        Op op;
                        try {
                            op = RecordCodec.decode(g.payload(), seq);
                        } catch (RuntimeException e) {
                            return "undecodable record at offset " + at + ": " + e.getMessage();
                        }
                        if (op instanceof Op.SnapshotEnd end) {
                            if (end.records() != count) {
                                return "end record counts " + end.records() + " records, found " + count;
                            }
                            return buf.hasRemaining() ? "bytes after the end record" : null;
                        }
                        state.apply(op, false);
                        count++;
                    }
                    case Frames.End e -> {
                        return "no end record (cut short after " + count + " records)";
                    }
                    case Frames.Bad b -> {
                        return b.reason() + " at offset " + at;
                    }
                }
            }
        }
    }
}
