package dev.vmaddr.store.embedded;

import dev.vmaddr.store.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * Records appended since the committer last took the batch. Contents guarded by the log's write
 * lock; {@link #outcome} is published by the committer, and the batch's writers wait on the batch
 * itself, so a commit wakes exactly its own writers (not every waiting thread).
 */
final class Batch implements GroupCommitLog.Ticket {
    static final int PENDING = 0;
    static final int DURABLE = 1;
    static final int FAILED = 2;

    final Bytes bytes;
    final List<Runnable> undos = new ArrayList<>();
    volatile long lastSeq; // written under the log's lock; read by a deferring writer after it
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

    /** Takes back, newest first, what the batch's records did to memory. */
    void undo() {
        for (int i = undos.size() - 1; i >= 0; i--) {
            undos.get(i).run();
        }
    }
}
