package dev.vmaddr.store.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Step 1 of {@link GroupCommitLog} for many records at once (an import): each encoded outside the
 * lock, then all checked, numbered, appended and applied under ONE hold of the log's lock, in
 * list order, so they land in the same open batch and become durable with one write and one fsync.
 * A record's condition sees the records before it in the list. The lock is held for the whole list
 * (about a microsecond a record): other writers wait that long once, rather than the import costing
 * them a commit per record.
 */
final class BulkAppend {
    /** One record: as {@link GroupCommitLog#appendIf(Op, LongFunction, Precondition)}'s three arguments. */
    record Conditional(Op op, LongFunction<Op> numbered, Precondition precondition) {}

    private BulkAppend() {
    }

    /** One ticket per record, in order: the batch it went into, or its refusal. */
    static List<GroupCommitLog.Ticket> appendAllIf(GroupCommitLog log, List<Conditional> records) {
        // one buffer for all payloads, not one per record: a million records made 128 MB of garbage
        int n = records.size();
        Bytes all = new Bytes(Math.max(64, n * 64));
        int[] start = new int[n + 1];
        for (int i = 0; i < n; i++) {
            start[i] = all.len;
            RecordCodec.encode(records.get(i).op(), all);
        }
        start[n] = all.len;
        return log.underLock(() -> {
            log.ensureWritable();
            List<GroupCommitLog.Ticket> tickets = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                tickets.add(log.appendLocked(records.get(i).numbered(), records.get(i).precondition(), all.buf, start[i],
                        start[i + 1] - start[i]));
            }
            return tickets;
        });
    }
}
