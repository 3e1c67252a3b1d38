package dev.vmaddr.dhcp.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Spreads a burst of replies out instead of sending it at memory speed.
 *
 * <h2>Why</h2>
 * Replies that waited for the store leave together: after a slow fsync or database commit
 * (0.3–0.7 s seen on shared disks) hundreds of ACKs are due at once, and a relay agent receives
 * all of them on one socket. At a few microseconds per sendmsg they arrive faster than the relay
 * reads, its receive buffer (~200 KiB by default) overflows, and every lost ACK costs its client a
 * retransmission seconds later. Kea does not burst only because it is slower: it answers one
 * request at a time. So replies may leave at up to {@code maxPerSecond} on average with bursts of
 * {@code burst}; steady traffic below that rate is never delayed.
 *
 * <h2>Threads</h2>
 * Any number of senders (the receiver, the store's commit thread, handler threads) share one
 * schedule, claimed with a CAS: each claim takes the next free slot. A sender sleeps only when its
 * slot is far enough ahead to be worth a sleep, since parkNanos oversleeps short waits by tens of
 * microseconds; the slots already claimed keep the average rate right.
 *
 * <p>Public for the DHCPv6 server, whose REPLYs leave in the same bursts after an fsync.
 */
public final class ReplyPacer {
    /** Sleeps shorter than this are skipped; the debt is carried by the schedule. */
    private static final long MIN_SLEEP_NANOS = 200_000;

    private final long nanosPerReply;
    private final long burstNanos;
    private final LongSupplier nanoTime;
    private final LongConsumer sleeper;
    private final AtomicLong nextSlot;

    public ReplyPacer(int maxPerSecond, int burst) {
        this(maxPerSecond, burst, System::nanoTime, LockSupport::parkNanos);
    }

    ReplyPacer(int maxPerSecond, int burst, LongSupplier nanoTime, LongConsumer sleeper) {
        if (maxPerSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("maxPerSecond and burst must be positive: " + maxPerSecond + ", " + burst);
        }
        this.nanosPerReply = 1_000_000_000L / maxPerSecond;
        this.burstNanos = nanosPerReply * burst;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.nextSlot = new AtomicLong(nanoTime.getAsLong() - burstNanos);
    }

    /**
     * Called before each reply; returns when it may leave.
     *
     * <p>The claim is one atomic add, not a compare-and-set loop: the loop's retry branch is taken
     * only when the receiver and the commit thread send at the same instant, which a profile
     * gathered before such contention never shows, so the JIT compiled it as an uncommon trap and
     * the first contended send deoptimized the send path. Idle credit beyond one burst is dropped
     * by moving the schedule forward with a single CAS; if another sender claimed a slot meanwhile
     * the CAS fails and the schedule simply catches up on the next claim (the average stays bounded).
     */
    public void pace() {
        long now = nanoTime.getAsLong();
        long slot = nextSlot.getAndAdd(nanosPerReply);
        long floor = now - burstNanos; // unused credit beyond one burst is not kept
        if (slot < floor) {
            nextSlot.compareAndSet(slot + nanosPerReply, floor + nanosPerReply);
            slot = floor;
        }
        long wait = slot - now;
        if (wait >= MIN_SLEEP_NANOS) {
            sleeper.accept(wait);
        }
    }
}
