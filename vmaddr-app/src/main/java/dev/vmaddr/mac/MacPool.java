package dev.vmaddr.mac;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.index.FreeBitmap;
import dev.vmaddr.index.Segments;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.store.MacStore;
import dev.vmaddr.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out MACs from a prefix ({@link MacPoolSpec} explains the prefix rule).
 *
 * <p><b>Truth and index.</b> The {@link MacStore} is the record of which MACs are allocated,
 * reserved, observed or quarantined; its {@code claim} is conditional, so two pools (or servers)
 * sharing a store never hand out one MAC twice. The pool keeps an in-memory bitmap over the
 * prefix's (or the ranges') addresses, 2 MB for a whole 2^24 prefix, rebuilt from the store at
 * construction. {@link #allocate} picks a random position and takes the next free bit
 * ({@link FreeBitmap}: a few words per level, independent of fill), then claims it in the store; a
 * refusal there (someone else claimed it behind our back) marks it taken and tries again, at most
 * {@link #MAX_ATTEMPTS} times. No linear scan happens at any fill.
 *
 * <p><b>Concurrency.</b> One lock guards the bitmap and the quarantine list. The chosen bit is
 * cleared under the lock before the store write, so concurrent allocations never pick the same
 * MAC; the store write itself runs without the lock (writers share the store's group commit) and
 * the bit is restored if the write fails.
 */
public final class MacPool {
    private static final Logger LOG = LoggerFactory.getLogger(MacPool.class);
    static final int MAX_ATTEMPTS = 16;

    private final MacPoolSpec spec;
    private final MacStore store;
    private final Clock clock;
    private final RandomGenerator random;
    private final Segments segments;
    private final FreeBitmap free;
    private final ReentrantLock lock = new ReentrantLock();
    /** Quarantined MACs ordered by end of quarantine, to free them without a scan. */
    private final TreeSet<MacRecord> quarantined = new TreeSet<>(
            (a, b) -> a.until().equals(b.until()) ? a.mac().compareTo(b.mac()) : a.until().compareTo(b.until()));
    /**
     * MACs the host's interfaces and its neighbours carry, with where each was seen (kubemacpool#77),
     * as the last scan found them ({@link #replaceHostMacs}). In memory only: the host is read again
     * at start and on a timer. Replaced under {@link #lock}; read without it.
     */
    private volatile Map<MacAddress, String> hostMacs = Map.of();

    public MacPool(MacPoolSpec spec, MacStore store, Clock clock, RandomGenerator random) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        long base = (long) spec.prefix() << 24;
        List<long[]> ranges = new ArrayList<>();
        if (spec.ranges().isEmpty()) {
            ranges.add(new long[] {base, base | 0xFFFFFF});
        } else {
            for (MacPoolSpec.Range r : spec.ranges()) {
                ranges.add(new long[] {r.first().value(), r.last().value()});
            }
        }
        segments = new Segments(ranges);
        free = new FreeBitmap(segments.size());
        Instant now = clock.instant();
        for (MacRecord r : store.list()) {
            if (r.blocksAt(now)) {
                markTaken(r.mac());
                if (r.state() == MacState.QUARANTINED) {
                    quarantined.add(r);
                }
            }
        }
    }

    public MacPoolSpec spec() {
        return spec;
    }

    /** A random free MAC of the pool, claimed durably for {@code owner}. */
    public MacAddress allocate(String owner) {
        Objects.requireNonNull(owner, "owner");
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            MacAddress mac;
            lock.lock();
            try {
                releaseEndedQuarantines(clock.instant());
                long pos = free.nextFreeWrapping(random.nextLong(free.size()));
                if (pos < 0) {
                    throw new MacPoolException(MacPoolException.Reason.EXHAUSTED, "MAC pool " + describe()
                            + " is exhausted: all " + free.size() + " addresses are allocated, reserved, observed or quarantined");
                }
                free.setTaken(pos);
                mac = new MacAddress(segments.valueAt(pos));
                if (hostMacs.containsKey(mac)) {
                    continue; // a scan marked it after this search began: leave it taken, pick another
                }
            } finally {
                lock.unlock();
            }
            Instant now = clock.instant();
            boolean claimed;
            try {
                claimed = store.claim(new MacRecord(mac, MacState.ALLOCATED, owner, null, now), now);
            } catch (StoreException e) {
                markFree(mac);
                throw new MacPoolException(MacPoolException.Reason.STORE_UNAVAILABLE, "cannot store MAC " + mac, e);
            }
            if (claimed) {
                LOG.info(LogEvents.MAC_ALLOCATED + " mac={} owner={}", mac, owner);
                return mac;
            }
            // blocked by a record we did not know of: leave the bit taken and try another
            LOG.warn(LogEvents.MAC_STORE_CONFLICT + " mac={} owner={}", mac, owner);
        }
        throw new MacPoolException(MacPoolException.Reason.EXHAUSTED, "no MAC of " + describe() + " could be claimed after "
                + MAX_ATTEMPTS + " attempts (others keep taking them)");
    }

    /** Claims a given MAC for {@code owner}; it need not lie in the prefix but must be unicast. */
    public MacRecord claim(MacAddress mac, String owner) {
        Objects.requireNonNull(owner, "owner");
        requireUnicast(mac);
        return write(new MacRecord(mac, MacState.ALLOCATED, owner, null, clock.instant()), LogEvents.MAC_CLAIMED);
    }

    /**
     * Moves an allocated MAC from {@code from} to {@code to} (a VM restored as a copy takes over its
     * source's MACs): refused (TAKEN) unless {@code from} holds it now. The caller serializes moves
     * of one MAC (the VM inventory does so under both VMs' locks).
     */
    public MacRecord transfer(MacAddress mac, String from, String to) {
        Objects.requireNonNull(to, "to");
        MacRecord current = store.get(mac).orElse(null);
        if (current == null || current.state() != MacState.ALLOCATED || !from.equals(current.owner())) {
            throw new MacPoolException(MacPoolException.Reason.TAKEN, "MAC " + mac + " is not allocated to " + from
                    + (current == null ? "" : " (" + current.state().name().toLowerCase() + " by " + current.owner() + ")"));
        }
        MacRecord r = new MacRecord(mac, MacState.ALLOCATED, to, null, clock.instant());
        try {
            store.put(r);
        } catch (StoreException e) {
            throw new MacPoolException(MacPoolException.Reason.STORE_UNAVAILABLE, "cannot store MAC " + mac, e);
        }
        LOG.info(LogEvents.MAC_TRANSFERRED + " mac={} from={} to={}", mac, from, to);
        return r;
    }

    /** Sets a MAC aside (never handed out); refused when another owner holds it. */
    public MacRecord reserve(MacAddress mac, String reason) {
        requireUnicast(mac);
        return write(new MacRecord(mac, MacState.RESERVED, reason, null, clock.instant()), LogEvents.MAC_RESERVED);
    }

    /**
     * Records a MAC seen on a network ({@code where}, e.g. {@code net/lab via dhcp}) so the pool
     * never hands it out. A MAC already allocated or reserved keeps that record.
     */
    public Optional<MacRecord> observe(MacAddress mac, String where) {
        Instant now = clock.instant();
        Optional<MacRecord> current = store.get(mac);
        if (current.isPresent() && current.get().blocksAt(now) && current.get().state() != MacState.OBSERVED) {
            markTaken(mac);
            return Optional.empty();
        }
        MacRecord r = new MacRecord(mac, MacState.OBSERVED, where, null, now);
        try {
            store.put(r);
        } catch (StoreException e) {
            throw new MacPoolException(MacPoolException.Reason.STORE_UNAVAILABLE, "cannot store MAC " + mac, e);
        }
        markTaken(mac);
        LOG.info(LogEvents.MAC_OBSERVED + " mac={} where=\"{}\"", mac, where);
        return Optional.of(r);
    }

    /**
     * The MACs the host's interfaces and its neighbours carry now ({@code dev.vmaddr.hostnet.HostMacs}):
     * the pool never hands one out. Those no longer carried are free again unless the store blocks
     * them. Returns how many MACs of the pool's ranges this scan newly blocked.
     */
    public int replaceHostMacs(Map<MacAddress, String> carried) {
        Map<MacAddress, String> next = Map.copyOf(carried);
        List<MacAddress> gone = new ArrayList<>();
        int blocked = 0;
        lock.lock();
        try {
            for (MacAddress m : next.keySet()) {
                long pos = segments.positionOf(m.value());
                if (pos >= 0 && free.setTaken(pos)) {
                    blocked++;
                }
            }
            for (MacAddress m : hostMacs.keySet()) {
                if (!next.containsKey(m) && segments.positionOf(m.value()) >= 0) {
                    gone.add(m);
                }
            }
            hostMacs = next;
        } finally {
            lock.unlock();
        }
        Instant now = clock.instant();
        for (MacAddress m : gone) {
            boolean recorded = store.get(m).map(r -> r.blocksAt(now)).orElse(false);
            lock.lock();
            try {
                if (!recorded && !hostMacs.containsKey(m)) {
                    free.setFree(segments.positionOf(m.value()));
                }
            } finally {
                lock.unlock();
            }
        }
        return blocked;
    }

    /** Where the host or a neighbour carries {@code mac}, as the last scan found; empty when nowhere. */
    public Optional<String> carriedByHost(MacAddress mac) {
        return Optional.ofNullable(hostMacs.get(mac));
    }

    /**
     * A DHCP client bound an address with {@code mac} (its chaddr) and no VM NIC owns it: when the
     * MAC lies in the pool's ranges and the pool has it free, it is recorded as observed (durably),
     * so the pool never hands it to a VM. Outside the ranges, or known already: nothing is written,
     * so ordinary clients cost a bitmap lookup. Returns whether it was recorded.
     */
    public boolean noteSeenOnNetwork(MacAddress mac, String where) {
        long pos = segments.positionOf(mac.value());
        if (pos < 0) {
            return false;
        }
        lock.lock();
        try {
            if (!free.isFree(pos)) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        return observe(mac, where).isPresent();
    }

    /** Gives a MAC back: quarantined for the spec's period, then free. Empty when it had no record. */
    public Optional<MacRecord> release(MacAddress mac) {
        Instant now = clock.instant();
        Optional<MacRecord> current = store.get(mac);
        if (current.isEmpty() || current.get().state() == MacState.QUARANTINED) {
            return Optional.empty();
        }
        MacRecord q = new MacRecord(mac, MacState.QUARANTINED, null, now.plus(spec.quarantine()), now);
        try {
            store.put(q);
        } catch (StoreException e) {
            throw new MacPoolException(MacPoolException.Reason.STORE_UNAVAILABLE, "cannot store MAC " + mac, e);
        }
        lock.lock();
        try {
            quarantined.add(q);
        } finally {
            lock.unlock();
        }
        LOG.info(LogEvents.MAC_RELEASED + " mac={} owner={} until={}", mac, current.get().owner(), q.until());
        return Optional.of(q);
    }

    /** Frees MACs whose quarantine is over (also done lazily by {@link #allocate}). Returns how many. */
    public int reclaimQuarantined() {
        lock.lock();
        try {
            return releaseEndedQuarantines(clock.instant());
        } finally {
            lock.unlock();
        }
    }

    public Optional<MacRecord> record(MacAddress mac) {
        return store.get(mac);
    }

    public long size() {
        return free.size();
    }

    public long freeCount() {
        lock.lock();
        try {
            return free.freeCount();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts MACs whose quarantine is over back into the free index. The expired record stays in the
     * store: it no longer blocks a claim ({@link MacRecord#blocksAt}), and deleting it would race
     * with a concurrent claim of the same MAC here or on another server (read, then delete, would
     * delete the new owner's record). A later claim simply overwrites it.
     */
    private int releaseEndedQuarantines(Instant now) {
        int n = 0;
        while (!quarantined.isEmpty() && !quarantined.first().until().isAfter(now)) {
            MacRecord q = quarantined.pollFirst();
            MacRecord current = store.get(q.mac()).orElse(null);
            if (current != null && current.blocksAt(now)) {
                continue; // claimed again meanwhile
            }
            long pos = segments.positionOf(q.mac().value());
            if (pos >= 0 && !hostMacs.containsKey(q.mac())) {
                free.setFree(pos);
            }
            n++;
        }
        return n;
    }

    private MacRecord write(MacRecord r, String event) {
        Instant now = r.updatedAt();
        boolean claimed;
        try {
            claimed = store.claim(r, now);
        } catch (StoreException e) {
            throw new MacPoolException(MacPoolException.Reason.STORE_UNAVAILABLE, "cannot store MAC " + r.mac(), e);
        }
        if (!claimed) {
            String holder = store.get(r.mac()).map(c -> c.state().name().toLowerCase() + " by " + c.owner()).orElse("another owner");
            throw new MacPoolException(MacPoolException.Reason.TAKEN, "MAC " + r.mac() + " is taken (" + holder + ")");
        }
        markTaken(r.mac());
        LOG.info("{} mac={} owner={}", event, r.mac(), r.owner());
        return r;
    }

    private static void requireUnicast(MacAddress mac) {
        Objects.requireNonNull(mac, "mac");
        if (!mac.isUnicast()) {
            throw new MacPoolException(MacPoolException.Reason.INVALID, "MAC " + mac + " is multicast; a NIC needs a unicast MAC");
        }
        if (mac.value() == 0) {
            throw new MacPoolException(MacPoolException.Reason.INVALID, "MAC 00:00:00:00:00:00 is not a NIC address");
        }
    }

    private void markTaken(MacAddress mac) {
        long pos = segments.positionOf(mac.value());
        if (pos >= 0) {
            lock.lock();
            try {
                free.setTaken(pos);
            } finally {
                lock.unlock();
            }
        }
    }

    private void markFree(MacAddress mac) {
        long pos = segments.positionOf(mac.value());
        if (pos >= 0) {
            lock.lock();
            try {
                free.setFree(pos);
            } finally {
                lock.unlock();
            }
        }
    }

    private String describe() {
        return MacPoolSpec.prefixText(spec.prefix()) + (spec.ranges().isEmpty() ? "" : " " + spec.ranges());
    }
}
