package dev.vmaddr.store.embedded;

import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.compact.LeaseEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
     * Loads a snapshot into an empty state. The history (written last) is decoded on two threads while
     * the rest loads: a second thread decodes the first half of the history frames into events, this
     * thread loads leases, MACs, networks and documents and then decodes the second half, and the
     * events are then added in file order (the chains and the cursor's order need that). With
     * 1,000,000 leases and 1,000,000 events, decoding the history was the longest of these.
     *
     * @return null when it loaded, otherwise why the file was rejected
     */
    static String load(Path file, long seq, StoreState state) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            int split = historyStart(buf);
            if (split <= 0) {
                return end(buf, run(buf.duplicate(), 0, buf.limit(), seq, state), 0);
            }
            int events = historyEvents(buf, split);
            state.history.expect(events);
            int mid = historyFrame(buf, split, events / 2);
            Decoded[] first = new Decoded[1];
            Throwable[] failed = new Throwable[1];
            Thread decoder = Thread.ofPlatform().name("vmaddr-snapshot-history").start(() -> {
                try {
                    first[0] = decode(buf.duplicate(), split, mid, seq, events / 2);
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            Pass rest;
            Decoded second;
            try {
                rest = run(buf.duplicate(), 0, split, seq, state);
                second = rest.problem() == null ? decode(buf.duplicate(), mid, buf.limit(), seq, events - events / 2) : null;
            } finally {
                joinUninterruptibly(decoder);
            }
            if (failed[0] instanceof RuntimeException e) {
                throw e;
            }
            if (failed[0] != null) {
                throw new IllegalStateException("loading the history of " + file + " failed", failed[0]);
            }
            if (rest.problem() != null) {
                return rest.problem();
            }
            if (rest.endRecords() >= 0 || rest.stoppedAt() != split) {
                return "records end at offset " + rest.stoppedAt() + " before the history at " + split;
            }
            Pass h = first[0].pass();
            if (h.problem() != null) {
                return h.problem();
            }
            if (h.endRecords() >= 0) {
                return "bytes after the end record";
            }
            if (h.stoppedAt() != mid) {
                return "no end record (cut short at offset " + h.stoppedAt() + ")";
            }
            Pass last = second.pass();
            if (last.problem() != null) {
                return last.problem();
            }
            first[0].addTo(state);
            second.addTo(state);
            return end(buf, new Pass(null, h.count() + last.count(), last.endRecords(), last.stoppedAt()), rest.count());
        }
    }

    /**
     * Records decoded and not yet applied, in file order: a history event already made a
     * {@link StoredEvent} (the costly part, done on the decoding thread), any other record as its op.
     */
    private record Decoded(Pass pass, List<Object> items) {
        void addTo(StoreState state) {
            for (Object o : items) {
                if (o instanceof StoredEvent e) {
                    state.history.add(e); // what StoreState.apply does with a HistoryAppend
                } else {
                    state.apply((Op) o, false);
                }
            }
        }
    }

    private static Decoded decode(ByteBuffer buf, int from, int to, long seq, int expected) {
        List<Object> items = new ArrayList<>(expected + 1);
        Pass pass = walk(buf, from, to, seq, op -> items.add(op instanceof Op.HistoryAppend a ? StoredEvent.of(a.event()) : op));
        return new Decoded(pass, items);
    }

    private static Pass run(ByteBuffer buf, int from, int to, long seq, StoreState state) {
        return walk(buf, from, to, seq, op -> state.apply(op, false));
    }

    /**
     * What one pass over frames found: a problem, or how many records it took and where it stopped
     * (at {@code to}, or after the end record, whose count is {@code endRecords}; -1 when it met none).
     */
    private record Pass(String problem, long count, long endRecords, int stoppedAt) {
        static Pass bad(String problem) {
            return new Pass(problem, 0, -1, -1);
        }
    }

    /**
     * The one walk over snapshot frames, with every check a frame must pass: hands each record before
     * the end record to {@code records} and stops at the end record, at {@code to} or at the first
     * frame that fails. One sink per walk, none per record: this loop runs once per lease and event.
     */
    private static Pass walk(ByteBuffer buf, int from, int to, long seq, Consumer<Op> records) {
        buf.limit(to).position(from);
        long count = 0;
        while (true) {
            int at = buf.position();
            Frames.Read r = Frames.next(buf);
            switch (r) {
                case Frames.Good g -> {
                    if (g.seq() != seq) {
                        return Pass.bad("record at offset " + at + " has sequence " + g.seq() + ", expected " + seq);
                    }
                    Op op;
                    try {
                        op = RecordCodec.decode(g.payload(), seq);
                    } catch (RuntimeException e) {
                        return Pass.bad("undecodable record at offset " + at + ": " + e.getMessage());
                    }
                    if (op instanceof Op.SnapshotEnd end) {
                        return new Pass(null, count, end.records(), buf.position());
                    }
                    records.accept(op);
                    count++;
                }
                case Frames.End e -> {
                    return new Pass(null, count, -1, at);
                }
                case Frames.Bad b -> {
                    return Pass.bad(b.reason() + " at offset " + at);
                }
            }
        }
    }

    /** The checks of the last pass: an end record that counts every record before it, and nothing after it. */
    private static String end(ByteBuffer buf, Pass last, long before) {
        if (last.problem() != null) {
            return last.problem();
        }
        long count = before + last.count();
        if (last.endRecords() < 0) {
            return "no end record (cut short after " + count + " records)";
        }
        if (last.endRecords() != count) {
            return "end record counts " + last.endRecords() + " records, found " + count;
        }
        return last.stoppedAt() < buf.limit() ? "bytes after the end record" : null;
    }

    /**
     * Where the first history record starts, from the frames' lengths and kind bytes alone (no
     * checksum, no decoding); -1 when there is none or the walk meets a length that cannot be right
     * (the passes then judge the file).
     */
    static int historyStart(ByteBuffer buf) {
        return nthHistoryFrame(buf, 0, 0);
    }

    /** How many frames from {@code start} on carry history (a header walk like {@link #historyStart}). */
    static int historyEvents(ByteBuffer buf, int start) {
        HistoryHeaders walk = new HistoryHeaders(buf, start);
        int n = 0;
        while (walk.next()) {
            n++;
        }
        return n;
    }

    /** The offset of the {@code index}-th history frame from {@code start} on; {@code start} when there is none. */
    static int historyFrame(ByteBuffer buf, int start, int index) {
        int at = nthHistoryFrame(buf, start, index);
        return at < 0 ? start : at;
    }

    /**
     * The offset of the {@code index}-th history frame from {@code start} on, or -1 when there are
     * fewer or a length cannot be right.
     */
    private static int nthHistoryFrame(ByteBuffer buf, int start, int index) {
        HistoryHeaders walk = new HistoryHeaders(buf, start);
        for (int i = 0; i <= index; i++) {
            if (!walk.next()) {
                return -1;
            }
        }
        return walk.at;
    }

    /**
     * The header walk that finds where the history is, before the passes that check it: from one
     * history frame to the next by the frames' lengths and kind bytes alone (no checksum, no decoding).
     */
    private static final class HistoryHeaders {
        private final ByteBuffer buf;
        private final int limit;
        private int next;
        /** The history frame the last successful {@link #next} reached. */
        int at = -1;

        HistoryHeaders(ByteBuffer buf, int start) {
            this.buf = buf;
            this.limit = buf.limit();
            this.next = start;
        }

        /** Moves to the next history frame; false when there is none or a length cannot be right. */
        boolean next() {
            int frame = next;
            while (limit - frame > Frames.HEADER) {
                int len = buf.getInt(frame);
                if (len <= 0 || len > limit - frame - Frames.HEADER) {
                    return false;
                }
                int kind = buf.get(frame + Frames.HEADER) & 0xFF;
                int after = frame + Frames.HEADER + len;
                if (kind == RecordCodec.HISTORY || kind == RecordCodec.HISTORY_V2) {
                    at = frame;
                    next = after;
                    return true;
                }
                frame = after;
            }
            return false;
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
