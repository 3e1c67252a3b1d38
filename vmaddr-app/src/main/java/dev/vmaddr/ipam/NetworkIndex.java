package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.index.ExpiryQueue;
import dev.vmaddr.index.FreeBitmap;
import dev.vmaddr.index.FreedQueue;
import dev.vmaddr.index.LongIntMap;
import dev.vmaddr.index.Segments;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The allocation engine's in-memory indexes for one network. It holds no lease records (the store
 * does), only what makes choices fast and safe:
 * <ul>
 *   <li>{@link #free}: one bit per pool address, set while the address may be handed out. Gateway,
 *       network, broadcast, excluded and reserved addresses are never set.</li>
 *   <li>The reuse cooldown (issue 20 item 2): {@link #fresh}, the free addresses never used, and
 *       {@link #freed}, the used ones in the order they were freed. A search proposes from the first
 *       and only then from the head of the second, so an address a client gave back goes to another
 *       client last. Every free bit is in exactly one of the two.</li>
 *   <li>{@link #claims}: addresses promised but not (yet) in the store — offers (memory only, held
 *       for a short time) and pending writes (a bind or allocation whose store write is in flight).</li>
 *   <li>{@link #expiries}: when occupied addresses come due, as packed longs.</li>
 *   <li>{@link #busyHolders}: the holder gate — holders with an operation in progress, so one
 *       holder's requests run one at a time and a holder never ends up with two addresses by racing
 *       itself.</li>
 * </ul>
 * Everything here is guarded by {@link #lock}, which callers take through {@link #enter} or
 * {@link #lock()}; {@link #changed} is signalled when a holder or a pending claim goes away. The
 * state is private: the engine's parts change it only through the methods below.
 */
final class NetworkIndex {
    enum ClaimKind { OFFER, PENDING }

    /** An address promised in memory. {@code expiresAt} matters for offers only. */
    record Claim(ClaimKind kind, HolderKey holder, Ipv4Address ip, MacAddress mac, ClientId clientId,
                 String hostname, Instant expiresAt) {
        boolean liveAt(Instant now) {
            return kind == ClaimKind.PENDING || expiresAt.isAfter(now);
        }
    }

    private final NetworkSpec spec;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Segments pools;
    private final FreeBitmap free;
    private final FreeBitmap fresh;
    private final FreedQueue freed;
    private final long dynamicSize;
    private final Map<Integer, Claim> claims = new HashMap<>();
    private final Map<HolderKey, Ipv4Address> offerByHolder = new HashMap<>();
    private final ExpiryQueue expiries = new ExpiryQueue();
    // A list, not a set: it holds the few holders in flight (one per thread in an operation), a
    // linear scan of it is cheaper than hashing, and adding to it allocates nothing (a HashSet made
    // a node per add, two per DHCP request). A holder equal to its machine is added and removed twice.
    private final List<HolderKey> busyHolders = new ArrayList<>();
    /**
     * The BOUND leases held by a client-id, by their MAC, as this engine wrote or loaded them (a hint:
     * readers check the store). With the store's holder index, which finds a lease held by the bare
     * MAC, this finds the one bound lease a MAC has whatever client-id it was bound with. Leases
     * without a client-id (most clients, every API and VM NIC allocation) are not in it.
     */
    private final LongIntMap boundByIdMac = new LongIntMap(16);
    private final Map<Ipv4Address, Reservation> reservationByIp = new HashMap<>();
    private final long base;
    private boolean retired;
    /** When the free bits were last set again from the store (before a refusal); null: never. */
    private Instant lastResync;

    NetworkIndex(NetworkSpec spec) {
        this.spec = spec;
        this.base = spec.cidr().network().unsigned();
        for (Reservation r : spec.reservations()) {
            reservationByIp.put(r.ip(), r);
        }
        List<long[]> ranges = new ArrayList<>();
        for (Ipv4Range p : spec.pools()) {
            ranges.add(new long[] {p.first().unsigned(), p.last().unsigned()});
        }
        pools = new Segments(ranges);
        free = new FreeBitmap(pools.size());
        fresh = new FreeBitmap(pools.size());
        freed = new FreedQueue(pools.size());
        long fixed = 0;
        // Take out what is never handed out dynamically; each of these is a handful of addresses
        // or an exclusion range, walked once per (re)configuration.
        List<Ipv4Address> out = new ArrayList<>(reservationByIp.keySet());
        if (spec.cidr().length() < 31) {
            out.add(spec.cidr().network());
            out.add(spec.cidr().broadcast());
        }
        if (spec.gateway() != null) {
            out.add(spec.gateway());
        }
        for (Ipv4Address a : out) {
            long pos = pools.positionOf(a.unsigned());
            if (pos >= 0 && free.setTaken(pos)) {
                fresh.setTaken(pos);
                fixed++;
            }
        }
        for (Ipv4Range e : spec.exclude()) {
            for (long v = e.first().unsigned(); v <= e.last().unsigned(); v++) {
                long pos = pools.positionOf(v);
                if (pos >= 0 && free.setTaken(pos)) {
                    fresh.setTaken(pos);
                    fixed++;
                }
            }
        }
        dynamicSize = pools.size() - fixed;
    }

    NetworkSpec spec() {
        return spec;
    }

    String name() {
        return spec.name();
    }

    PoolStats stats() {
        long f = free.freeCount();
        return new PoolStats(dynamicSize, dynamicSize - f, f);
    }

    // ---------------------------------------------------------------- lock and holder gate

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** Waits (lock held) until a holder leaves or a pending claim settles. */
    void awaitChange() {
        changed.awaitUninterruptibly();
    }

    /**
     * Takes the lock and waits until no other operation of {@code holder} nor of {@code machine} (its
     * bare MAC when the holder is a client-id, else the holder again) is in flight, then marks both
     * busy: operations of one machine under different client-ids then run one at a time too, so two
     * of them cannot each bind a lease for the same MAC. False, with the lock released, when the
     * index was retired meanwhile (the caller looks the network up again).
     */
    boolean enter(HolderKey holder, HolderKey machine) {
        lock.lock();
        while ((busyHolders.contains(holder) || busyHolders.contains(machine)) && !retired) {
            changed.awaitUninterruptibly();
        }
        if (retired) {
            lock.unlock();
            return false;
        }
        busyHolders.add(holder);
        busyHolders.add(machine);
        return true;
    }

    /** Ends what {@link #enter} began: frees the holder and its machine, wakes waiters, unlocks. */
    void leave(HolderKey holder, HolderKey machine) {
        busyHolders.remove(machine);
        busyHolders.remove(holder);
        changed.signalAll();
        lock.unlock();
    }

    /**
     * Locks this index (left locked for the caller) once no operation is in flight on it, and retires
     * it: a network being replaced or removed waits for its operations, and none starts on it after.
     */
    void retireWhenIdle() {
        lock.lock();
        while (!busyHolders.isEmpty() || claims.values().stream().anyMatch(c -> c.kind() == ClaimKind.PENDING)) {
            changed.awaitUninterruptibly();
        }
        retired = true;
    }

    boolean retired() {
        return retired;
    }

    void requireLive() {
        if (retired) {
            throw new AllocationException(AllocationException.Reason.UNKNOWN_NETWORK,
                    "network " + name() + " was just reconfigured or removed");
        }
    }

    /** Whether a resync of the free bits is allowed now (at most once per {@code every}); notes it when so. */
    boolean resyncDue(Instant now, Duration every) {
        if (lastResync != null && now.isBefore(lastResync.plus(every))) {
            return false;
        }
        lastResync = now;
        return true;
    }

    Reservation reservationFor(AllocationRequest req) {
        for (Reservation r : spec.reservations()) {
            if (r.matches(req.mac(), req.clientId())) {
                return r;
            }
        }
        return null;
    }

    private boolean excluded(Ipv4Address ip) {
        for (Ipv4Range e : spec.exclude()) {
            if (e.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    /** A pool address that may go to anyone (not gateway, network, broadcast, excluded or reserved). */
    private boolean isDynamic(Ipv4Address ip) {
        return pools.positionOf(ip.unsigned()) >= 0 && !ip.equals(spec.gateway())
                && !spec.cidr().isNetworkOrBroadcast(ip) && !excluded(ip) && !reservationByIp.containsKey(ip);
    }

    /** Why {@code holder} may not have {@code ip} regardless of who holds it now; null when it may. */
    AllocationException refusal(AllocationRequest req, Ipv4Address ip) {
        if (!spec.cidr().contains(ip)) {
            return new AllocationException(AllocationException.Reason.NOT_IN_NETWORK,
                    ip + " is not in network " + spec.name() + " (" + spec.cidr() + ")");
        }
        if (spec.cidr().isNetworkOrBroadcast(ip) || ip.equals(spec.gateway())) {
            return new AllocationException(AllocationException.Reason.NOT_ALLOWED,
                    ip + " is the network, broadcast or gateway address of " + spec.name());
        }
        Reservation r = reservationByIp.get(ip);
        if (r != null) {
            return r.matches(req.mac(), req.clientId()) ? null : new AllocationException(
                    AllocationException.Reason.RESERVED_FOR_OTHER, ip + " is reserved for another client in " + spec.name());
        }
        if (excluded(ip)) {
            return new AllocationException(AllocationException.Reason.NOT_ALLOWED, ip + " is excluded in " + spec.name());
        }
        if (pools.positionOf(ip.unsigned()) < 0) {
            return new AllocationException(AllocationException.Reason.NOT_ALLOWED,
                    ip + " is in no pool of " + spec.name() + " and not reserved for this client");
        }
        return null;
    }

    void markTaken(Ipv4Address ip) {
        if (isDynamic(ip)) {
            long pos = pools.positionOf(ip.unsigned());
            free.setTaken(pos);
            fresh.setTaken(pos);
        }
    }

    /**
     * A claim on {@code ip} went (an offer dropped, a write that failed): free again as it was before,
     * never used or freed at its old time.
     */
    void markFree(Ipv4Address ip) {
        freeIfTaken(ip);
    }

    /** {@link #markFree}; true when it was taken. */
    boolean freeIfTaken(Ipv4Address ip) {
        if (!isDynamic(ip)) {
            return false;
        }
        long pos = pools.positionOf(ip.unsigned());
        if (!free.setFree(pos)) {
            return false;
        }
        if (freed.used(pos)) {
            freed.requeue(pos);
        } else {
            fresh.setFree(pos);
        }
        return true;
    }

    /**
     * A lease of {@code ip} ended at {@code at} (released, expired, a quarantine over): it joins the
     * freed addresses at that time (a later time than the one it has, never an earlier one), and is
     * free now unless {@code stillClaimed} (an offer or a write in flight on it keeps it taken until
     * that claim goes). Returns true when it was taken before.
     */
    boolean markFreed(Ipv4Address ip, Instant at, boolean stillClaimed) {
        if (!isDynamic(ip)) {
            return false;
        }
        long pos = pools.positionOf(ip.unsigned());
        long millis = Math.max(at.toEpochMilli(), freed.lastFreed(pos));
        boolean wasFree = free.isFree(pos);
        if (wasFree && millis == freed.lastFreed(pos)) {
            return false; // already free at that time: nothing to queue again
        }
        fresh.setTaken(pos);
        freed.freed(pos, millis);
        if (stillClaimed) {
            free.setTaken(pos);
            return false;
        }
        free.setFree(pos);
        return !wasFree;
    }

    /**
     * Whether the store's record of a free {@code ip}, which ended at {@code endedAt}, is news to this
     * index: it had the address as never used, or freed earlier (another server sharing the store
     * used it since, or it was used before this index was built from an older view).
     */
    boolean freedLaterThanKnown(Ipv4Address ip, Instant endedAt) {
        return isDynamic(ip) && freed.lastFreed(pools.positionOf(ip.unsigned())) < endedAt.toEpochMilli();
    }

    long freeCount() {
        return free.freeCount();
    }

    long dynamicSize() {
        return dynamicSize;
    }

    /**
     * A search for a free address, in the cooldown's order: the never-used ones as {@code allocator}
     * proposes them (it only reads the bits), then the used ones, longest free first. The plain free
     * bits come last, a safety net should a free address be in neither (it never is by design).
     */
    Allocator.Search searchFree(Allocator allocator) {
        Allocator.Search neverUsed = allocator.search(fresh);
        Allocator.Search any = allocator.search(free);
        return () -> {
            long pos = neverUsed.next();
            if (pos < 0) {
                pos = freed.peek(free::isFree);
            }
            return pos >= 0 ? pos : any.next();
        };
    }

    Ipv4Address addressAt(long pos) {
        return new Ipv4Address((int) pools.valueAt(pos));
    }

    /**
     * Sets every dynamic address's free bit again: taken when it has a live claim or {@code stored}
     * says the store has it occupied, else free.
     */
    void resetFree(Instant now, Function<Ipv4Address, Lease> stored) {
        for (long pos = 0; pos < free.size(); pos++) {
            Ipv4Address ip = addressAt(pos);
            if (!isDynamic(ip)) {
                continue;
            }
            Lease l = stored.apply(ip);
            if (liveClaim(ip, now) != null || l != null && l.occupiesAt(now)) {
                markTaken(ip);
            } else if (l != null) {
                markFreed(ip, l.expiresAt(), false);
            } else {
                markFree(ip);
            }
        }
    }

    void addExpiry(Ipv4Address ip, Instant at) {
        long second = at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0);
        expiries.add(second, ip.unsigned() - base);
    }

    /** The next address whose expiry is due at {@code now}, taken off the queue; null when none. */
    Ipv4Address pollDue(Instant now) {
        long slot = expiries.pollDue(now.getEpochSecond());
        return slot < 0 ? null : new Ipv4Address((int) (base + slot));
    }

    /** The BOUND lease of {@code mac} under a client-id as last noted (a hint to check), or null. */
    Ipv4Address boundByIdMac(MacAddress mac) {
        long ip = boundByIdMac.get(mac.value());
        return ip == LongIntMap.ABSENT ? null : new Ipv4Address((int) ip);
    }

    /** Drops the hint that {@code mac} holds {@code ip} (the store no longer confirms it). */
    void forgetBoundByIdMac(MacAddress mac, Ipv4Address ip) {
        boundByIdMac.remove(mac.value(), ip.value());
    }

    void noteBound(Lease l) {
        if (l.clientId() != null) {
            noteBoundUnderClientId(l.mac().value(), l.ip().value());
        }
    }

    /** {@link #noteBound} of a lease held under a client-id, on its numbers (the index's build at start). */
    void noteBoundUnderClientId(long mac, int ip) {
        boundByIdMac.put(mac, ip);
    }

    /** {@code l} is bound no longer (released, expired, declined). */
    void noteGone(Lease l) {
        if (l.clientId() != null) {
            boundByIdMac.remove(l.mac().value(), l.ip().value());
        }
    }

    /** The live claim on {@code ip}, dropping an offer that has run out (its bit is then the caller's business). */
    Claim liveClaim(Ipv4Address ip, Instant now) {
        Claim c = claims.get(ip.value());
        if (c != null && !c.liveAt(now)) {
            claims.remove(ip.value());
            offerByHolder.remove(c.holder(), ip);
            return null;
        }
        return c;
    }

    /** The address offered to {@code holder}, or null. */
    Ipv4Address offeredTo(HolderKey holder) {
        return offerByHolder.get(holder);
    }

    /** The live offers above {@code after} (all when null). */
    List<Claim> liveOffers(Instant now, Ipv4Address after) {
        List<Claim> out = new ArrayList<>();
        for (Claim c : claims.values()) {
            if (c.kind() == ClaimKind.OFFER && c.liveAt(now) && (after == null || c.ip().compareTo(after) > 0)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Every claim, live or run out, as a copy. */
    List<Claim> claims() {
        return List.copyOf(claims.values());
    }

    /** Holds {@code offer}'s address for its holder (in place of the holder's earlier offer) and takes its bit. */
    void holdOffer(Claim offer) {
        dropOffer(offer.holder());
        claims.put(offer.ip().value(), offer);
        offerByHolder.put(offer.holder(), offer.ip());
        markTaken(offer.ip());
    }

    /** Records a store write in flight on {@code pending}'s address and takes its bit; returns the claim it replaced. */
    Claim claimPending(Claim pending) {
        Claim before = claims.put(pending.ip().value(), pending);
        markTaken(pending.ip());
        return before;
    }

    /** The store write on {@code ip} is done: its pending claim goes, and waiters (retire, markConflict) wake. */
    void endPending(Ipv4Address ip) {
        claims.remove(ip.value());
        changed.signalAll();
    }

    /**
     * After a failed write: puts back the claim that was there (an offer of this holder, still live
     * at {@code now}) or frees the address unless {@code stored} says the store has it occupied.
     */
    void settle(Ipv4Address ip, Claim before, Instant now, BooleanSupplier stored) {
        if (before != null && before.liveAt(now)) {
            claims.put(ip.value(), before);
        } else {
            claims.remove(ip.value());
            if (!stored.getAsBoolean()) {
                markFree(ip);
            }
        }
        changed.signalAll();
    }

    void dropOffer(HolderKey holder) {
        Ipv4Address ip = offerByHolder.remove(holder);
        if (ip != null) {
            Claim c = claims.get(ip.value());
            if (c != null && c.kind() == ClaimKind.OFFER && c.holder().equals(holder)) {
                claims.remove(ip.value());
            }
        }
    }
}
