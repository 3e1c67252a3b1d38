package dev.vmaddr.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.compact.LeaseEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24: a snapshot's history loads on a second thread while the rest loads on the caller's. The
 * split must change nothing a sequential load would decide: the same state, the history in file
 * order, a record other than history after the history start still applied, and any bad frame,
 * wrong count or trailing bytes in either half rejects the whole file.
 */
class SnapshotLoadTest {
    private static final long SEQ = 42;
    private static final Instant T = Instant.parse("2026-12-06T21:00:00Z");

    @TempDir
    Path dir;

    private static Op lease(int n) {
        return new Op.LeasePut("lan", new LeaseEntry(0xC6120000 + n, 0x525400000000L + n, (byte) 2, T.getEpochSecond() + 3600, 0,
                T.getEpochSecond(), 0, null, 0), null);
    }

    private static Op event(int n) {
        return new Op.HistoryAppend(new HistoryEvent(T.plusSeconds(n), "lan", new Ipv4Address(0xC6120000 + n),
                new MacAddress(0x525400000000L + n), "vm/vm" + n + "/nic0", "bound", "dhcp", null));
    }

    /** Frames every op with the snapshot's sequence and ends with an end record counting {@code counted} records. */
    private Path file(List<Op> ops, long counted) throws IOException {
        Bytes frames = new Bytes(1 << 16);
        Bytes payload = new Bytes(256);
        for (Op op : ops) {
            payload.reset();
            RecordCodec.encode(op, payload);
            Frames.append(frames, SEQ, payload.buf, payload.len);
        }
        payload.reset();
        RecordCodec.encode(new Op.SnapshotEnd(counted), payload);
        Frames.append(frames, SEQ, payload.buf, payload.len);
        Path f = DataDir.snapshot(dir, SEQ);
        Files.write(f, java.util.Arrays.copyOf(frames.buf, frames.len));
        return f;
    }

    private static List<Op> leasesThenHistory(int leases, int events) {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < leases; i++) {
            ops.add(lease(i));
        }
        for (int i = 0; i < events; i++) {
            ops.add(event(i));
        }
        return ops;
    }

    private static List<String> holdersOldestFirst(StoreState s) {
        List<String> out = new ArrayList<>();
        s.history.oldestFirst().forEach(e -> out.add(e.holder()));
        return out;
    }

    @Test
    void leasesAndHistoryLoadSideBySideIntoTheSameState() throws IOException {
        List<Op> ops = leasesThenHistory(5_000, 5_000);
        Path f = file(ops, ops.size());
        assertThat(SnapshotFile.historyStart(ByteBuffer.wrap(Files.readAllBytes(f)))).isPositive();
        StoreState s = new StoreState(1_000_000);
        assertThat(SnapshotFile.load(f, SEQ, s)).isNull();
        assertThat(s.leaseCount).isEqualTo(5_000);
        assertThat(s.table("lan").get(0xC6120000 + 4_999)).isNotNull();
        List<String> holders = holdersOldestFirst(s);
        assertThat(holders).hasSize(5_000);
        assertThat(holders.getFirst()).isEqualTo("vm/vm0/nic0");
        assertThat(holders.getLast()).isEqualTo("vm/vm4999/nic0");
        // the per-key chains were built too: one event for MAC 17
        assertThat(s.history.page(new dev.vmaddr.store.HistoryQuery(null, new MacAddress(0x525400000000L + 17), null, null, null,
                null, 10))).hasSize(1);
    }

    @Test
    void aRecordOtherThanHistoryAmongTheHistoryIsStillApplied() throws IOException {
        List<Op> ops = new ArrayList<>(List.of(lease(1), event(1), event(2), lease(2), event(3)));
        StoreState s = new StoreState(100);
        assertThat(SnapshotFile.load(file(ops, ops.size()), SEQ, s)).isNull();
        assertThat(s.leaseCount).isEqualTo(2);
        assertThat(holdersOldestFirst(s)).containsExactly("vm/vm1/nic0", "vm/vm2/nic0", "vm/vm3/nic0");
    }

    @Test
    void aBadFrameInEitherHalfOrAWrongCountRejectsTheFile() throws IOException {
        List<Op> ops = leasesThenHistory(200, 200);
        Path good = file(ops, ops.size());
        byte[] bytes = Files.readAllBytes(good);
        int split = SnapshotFile.historyStart(ByteBuffer.wrap(bytes));
        for (int at : new int[] {split / 2, split + (bytes.length - split) / 2}) {
            byte[] flipped = bytes.clone();
            flipped[at] ^= 0x10;
            Files.write(good, flipped);
            assertThat(SnapshotFile.load(good, SEQ, new StoreState(1000))).as("flip at " + at + " (history at " + split + ")")
                    .isNotNull();
        }
        assertThat(SnapshotFile.load(file(ops, ops.size() + 1), SEQ, new StoreState(1000))).contains("end record counts");
        Path trailing = file(ops, ops.size());
        Files.write(trailing, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertThat(SnapshotFile.load(trailing, SEQ, new StoreState(1000))).isNotNull();
        Files.write(trailing, java.util.Arrays.copyOf(bytes, bytes.length - 40));
        assertThat(SnapshotFile.load(trailing, SEQ, new StoreState(1000))).isNotNull();
    }

    /** Where every frame of a snapshot starts, from the frames' lengths alone. */
    private static List<Integer> frameStarts(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        List<Integer> starts = new ArrayList<>();
        for (int at = 0; at + Frames.HEADER <= bytes.length; at += Frames.HEADER + buf.getInt(at)) {
            starts.add(at);
        }
        return starts;
    }

    /**
     * Writes {@code bytes} with the frame at {@code at} framed anew with its checksum right: under
     * {@code seq}, its first payload byte (the record kind) replaced by {@code kind} unless -1.
     */
    private Path reframed(byte[] bytes, int at, long seq, int kind) throws IOException {
        int len = ByteBuffer.wrap(bytes).getInt(at);
        byte[] payload = java.util.Arrays.copyOfRange(bytes, at + Frames.HEADER, at + Frames.HEADER + len);
        if (kind >= 0) {
            payload[0] = (byte) kind;
        }
        Bytes frame = new Bytes(Frames.HEADER + len);
        Frames.append(frame, seq, payload, len);
        byte[] out = bytes.clone();
        System.arraycopy(frame.buf, 0, out, at, frame.len);
        Path f = DataDir.snapshot(dir, SEQ);
        Files.write(f, out);
        return f;
    }

    // 200 leases then 200 events: frame 100 is a lease, frame 250 history the second thread decodes
    // (frames 200 to 299), frame 350 history this thread decodes (frames 300 on).
    private static final int[] LEASE_AND_BOTH_HISTORY_HALVES = {100, 250, 350};

    @Test
    void aFlippedByteInALeaseOrHistoryFrameFailsTheLoadNamingThatFrame() throws IOException {
        List<Op> ops = leasesThenHistory(200, 200);
        Path f = file(ops, ops.size());
        byte[] bytes = Files.readAllBytes(f);
        List<Integer> starts = frameStarts(bytes);
        assertThat(starts).hasSize(401);
        for (int frame : LEASE_AND_BOTH_HISTORY_HALVES) {
            int at = starts.get(frame);
            byte[] flipped = bytes.clone();
            flipped[at + Frames.HEADER + 3] ^= 0x10;
            Files.write(f, flipped);
            assertThat(SnapshotFile.load(f, SEQ, new StoreState(1000))).as("frame " + frame)
                    .isEqualTo("checksum mismatch at offset " + at);
        }
    }

    @Test
    void aFrameWithAnotherSequenceOrAnUnknownKindFailsTheLoadNamingThatFrame() throws IOException {
        List<Op> ops = leasesThenHistory(200, 200);
        byte[] bytes = Files.readAllBytes(file(ops, ops.size()));
        List<Integer> starts = frameStarts(bytes);
        for (int frame : LEASE_AND_BOTH_HISTORY_HALVES) {
            int at = starts.get(frame);
            assertThat(SnapshotFile.load(reframed(bytes, at, SEQ + 1, -1), SEQ, new StoreState(1000))).as("frame " + frame)
                    .isEqualTo("record at offset " + at + " has sequence " + (SEQ + 1) + ", expected " + SEQ);
            assertThat(SnapshotFile.load(reframed(bytes, at, SEQ, 0xEE), SEQ, new StoreState(1000))).as("frame " + frame)
                    .isEqualTo("undecodable record at offset " + at + ": unknown record kind 238");
        }
    }
}
