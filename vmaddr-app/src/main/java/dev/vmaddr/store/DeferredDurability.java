package dev.vmaddr.store;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Lets a caller that must never block run store writes without waiting for them to become durable,
 * and act once they are.
 *
 * <h2>Why</h2>
 * Every {@link Store} write normally returns only once it is durable, which costs the caller a park
 * and a wake-up per write. The DHCP receiver answers thousands of clients a second on one thread; it
 * cannot park on each fsync, and waking a thread per request costs more CPU than the request itself.
 * Inside {@link #run}, a store that {@linkplain Store#defersDurability() supports it} applies the
 * write (in memory, in order, exactly as usual) and, instead of waiting, records here the point its
 * log must reach. The caller then holds back whatever it would have told the outside world — the
 * ACK — and hands it to {@link #whenDurable}, which runs it once the log is there, or tells it the
 * write failed (then nothing may be told: the store rolled the write back and is read-only).
 *
 * <h2>Rules</h2>
 * Nothing another party relies on — a reply, an acknowledgement — may leave the process before
 * {@code whenDurable} says {@code true}. Log lines and metrics written inside {@code run} may come
 * first (if the write then fails, the store logs {@code event=store.write.failed} and turns
 * read-only). Stores that do not support this simply block as usual, so
 * {@code run} is always correct, only not always fast. The scope is bound to the calling thread for
 * the duration of {@code run} (a {@link ScopedValue}); it is not thread-safe and is used once.
 */
public final class DeferredDurability {
    private static final ScopedValue<DeferredDurability> CURRENT = ScopedValue.newInstance();

    /** A store's log: calls {@code then} once everything up to {@code mark} is durable (or failed). */
    public interface Log {
        void whenDurable(long mark, Consumer<Boolean> then);
    }

    /**
     * One write whose outcome is its own (PostgreSQL: a batch row another server's lease can refuse,
     * while its neighbours commit): calls {@code then} with true once it is committed, false when it
     * was refused or failed.
     */
    public interface Outcome {
        void whenDone(Consumer<Boolean> then);
    }

    private Log log; // a process has one store
    private long mark;
    private Outcome outcome; // or the writes' own outcomes, for a store without one log order

    /** Runs {@code body} with durability waits deferred to this scope. */
    public <T> T run(Supplier<T> body) {
        return ScopedValue.where(CURRENT, this).call(body::get);
    }

    /** The scope the current thread is running in, or null when writes must wait as usual. */
    public static DeferredDurability current() {
        return CURRENT.isBound() ? CURRENT.get() : null;
    }

    /** Called by a store instead of waiting: the outcome now depends on {@code log} reaching {@code mark}. */
    public void require(Log log, long mark) {
        if (outcome != null || this.log != null && this.log != log) {
            throw new IllegalStateException("writes to two stores in one deferred scope");
        }
        this.log = log;
        this.mark = Math.max(this.mark, mark);
    }

    /**
     * Called by a store instead of waiting, when each write succeeds or fails on its own: the scope's
     * outcome now also depends on {@code write}. A scope with several such writes is durable when all are.
     */
    public void require(Outcome write) {
        if (log != null) {
            throw new IllegalStateException("writes to two stores in one deferred scope");
        }
        Outcome earlier = outcome;
        outcome = earlier == null ? write : then -> earlier.whenDone(ok -> {
            if (ok) {
                write.whenDone(then);
            } else {
                then.accept(false);
            }
        });
    }

    /** True when something inside {@link #run} is not known to be durable yet. */
    public boolean pending() {
        return log != null || outcome != null;
    }

    /**
     * Calls {@code then} with true once every write made inside {@link #run} is durable, or with false
     * if one of them failed. Runs at once on this thread when nothing is pending; otherwise on the
     * store's commit thread, so {@code then} must be short and must not write to a store.
     */
    public void whenDurable(Consumer<Boolean> then) {
        if (outcome != null) {
            outcome.whenDone(then);
        } else if (log == null) {
            then.accept(true);
        } else {
            log.whenDurable(mark, then);
        }
    }
}
