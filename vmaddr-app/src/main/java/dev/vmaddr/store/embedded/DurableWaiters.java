package dev.vmaddr.store.embedded;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.DeferredDurability;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Callbacks of deferred writers ({@link DeferredDurability}), run in order of registration by
 * whichever thread sees them due — normally the committer right after an fsync. One drainer at a
 * time, so a callback runs exactly once; a waiter whose mark is not durable yet holds back those
 * behind it until the next commit, which is never long since every mark is at most the last record
 * applied.
 */
final class DurableWaiters implements DeferredDurability.Log {
    private static final Logger LOG = LoggerFactory.getLogger(DurableWaiters.class);

    private record Waiter(long mark, Consumer<Boolean> then) { }

    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final ReentrantLock drain = new ReentrantLock();
    private final LongSupplier durableSeq;
    private final BooleanSupplier givenUp;

    /**
     * @param durableSeq the last record known durable
     * @param givenUp    true once nothing more will become durable (a failure, the committer gone)
     */
    DurableWaiters(LongSupplier durableSeq, BooleanSupplier givenUp) {
        this.durableSeq = durableSeq;
        this.givenUp = givenUp;
    }

    /** {@code then} learns whether the log reached {@code mark}. */
    @Override
    public void whenDurable(long mark, Consumer<Boolean> then) {
        // Run at once only when no earlier waiter is queued or being run: the committer publishes
        // durableSeq before it drains, so a durable mark alone would let this callback overtake
        // earlier ones still in the queue (or polled and running). Holding the drain lock while the
        // queue is empty means every earlier waiter has run; tryLock keeps this path from waiting.
        if (durableSeq.getAsLong() >= mark && waiters.isEmpty() && drain.tryLock()) {
            try {
                if (waiters.isEmpty()) {
                    then.accept(true);
                    return;
                }
            } finally {
                drain.unlock();
            }
        }
        waiters.add(new Waiter(mark, then));
        // The committer may have committed, failed or stopped between the check and the add.
        if (durableSeq.getAsLong() >= mark || givenUp.getAsBoolean()) {
            runDue();
        }
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }

    /** Runs every waiter that is due: durable, or never will be. */
    void runDue() {
        drain.lock();
        try {
            Waiter w;
            while ((w = waiters.peek()) != null) {
                boolean durable = durableSeq.getAsLong() >= w.mark();
                if (!durable && !givenUp.getAsBoolean()) {
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
            drain.unlock();
        }
    }
}
