package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.ipam.NetworkIndex.Claim;
import dev.vmaddr.ipam.NetworkIndex.ClaimKind;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who gets which IPv4 address, after Kea's allocation engine: a candidate comes from the
 * client's reservation, its current or previous lease, its requested address, or the free-address
 * index; the engine checks every candidate against the rules (reservations, exclusions, gateway,
 * network and broadcast, leases of others, in-flight offers) before granting it.
 *
 * <p><b>Where the truth is.</b> Leases live in the {@link Store}; it refuses to write a lease over
 * another holder's occupying lease, so even several servers sharing it cannot double-book. This
 * class keeps only indexes per network ({@link NetworkIndex}): a bitmap of free pool addresses,
 * offers (memory only: a lost offer is harmless), pending writes and an expiry queue. They are
 * rebuilt from the store when a network is put and at construction. Free addresses are found by a
 * random start plus "next free bit" in a summarised bitmap: the same cost at 0 % and 99 % full,
 * no scan over leases or addresses.
 *
 * <p><b>Concurrency.</b> One lock per network guards its index. Operations of one holder are
 * serialised (a busy-holder set), operations of different holders interleave. A grant is decided
 * under the lock and recorded as a pending claim, the lock is released for the durable store
 * write (so concurrent writers share the store's group commit), then retaken to settle: the
 * address is visible as granted only after the store acknowledged it. A store conflict (another
 * server took the address) marks it taken and another candidate is tried, a bounded number of times.
 */
public final class AllocationEngine {
    private static final Logger LOG = LoggerFactory.getLogger(AllocationEngine.class);
    public static final Duration DEFAULT_QUARANTINE = Duration.ofMinutes(10);
    /** Store writes tried before giving up: each failure is a race lost to another server sharing the store. */
    static final int MAX_CANDIDATES = 16;
    /**
     * When several servers share the store, each starts its searches of the free index within a
     * stripe of this fraction of it, its own, so two servers seldom choose the same free address in
     * the same moment (each one's view of the other's choices is a poll behind; a collision is a NAK
     * in DHCP).
     */
    static final int STRIPES = 16;
    /** A full pass over a network's addresses before a refusal runs at most this often per network. */
    static final Duration RESYNC_EVERY = Duration.ofSeconds(1);
    private static final MacAddress UNKNOWN_MAC = new MacAddress(0);

    private final Store store;
    private final Clock clock;
    private final RandomGenerator random;
    private final Duration quarantine;
    private final Map<String, NetworkIndex> indexes = new ConcurrentHashMap<>();
    private final Object configLock = new Object();
    /** {@link Store#sharingServerNumber()}: -1 when this server is the store's only user. */
    private final int sharingServer;

    public AllocationEngine(Store store, Clock clock, RandomGenerator random) {
        this(store, clock, random, DEFAULT_QUARANTINE);
    }

    /** @param quarantine how long a declined or conflicting address stays out of use */
    public AllocationEngine(Store store, Clock clock, RandomGenerator random, Duration quarantine) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.quarantine = Objects.requireNonNull(quarantine, "quarantine");
        this.sharingServer = store.sharingServerNumber();
        for (NetworkSpec spec : store.networks().list()) {
            indexes.put(spec.name(), build(spec));
        }
    }

    // ---------------------------------------------------------------- networks

    /**
     * Stores durably, then replaces the network's index (rebuilt from the store's leases). The
     * network's own rules are checked here (the index relies on them); the rules between networks
     * (no CIDR overlap) and every edit's read-modify-write are {@link NetworkCatalog}'s, the only
     * caller outside tests.
     */
    public void putNetwork(NetworkSpec spec) {
        NetworkValidator.requireValid(spec);
        synchronized (configLock) {
            NetworkIndex old = indexes.get(spec.name());
            if (old != null) {
                retire(old);
            }
            try {
                store.networks().put(spec);
                indexes.put(spec.name(), build(spec));
            } catch (StoreException e) {
                if (old != null) {
                    indexes.put(spec.name(), build(old.spec));
                }
                throw new AllocationException(Reason.STORE_UNAVAILABLE, "cannot store network " + spec.name(), e);
            } finally {
                if (old != null) {
                    old.lock.unlock();
                }
            }
        }
        LOG.info(LogEvents.NETWORK_PUT + " network={} cidr={}", spec.name(), spec.cidr());
    }

    public boolean removeNetwork(String name) {
        synchronized (configLock) {
            NetworkIndex old = indexes.get(name);
            if (old != null) {
                retire(old);
            }
            try {
                boolean removed = store.networks().delete(name);
                indexes.remove(name);
                LOG.info(LogEvents.NETWORK_REMOVED + " network={}", name);
                return removed || old != null;
            } catch (StoreException e) {
                if (old != null) {
                    indexes.put(name, build(old.spec));
                }
                throw new AllocationException(Reason.STORE_UNAVAILABLE, "cannot remove network " + name, e);
            } finally {
                if (old != null) {
                    old.lock.unlock();
                }
            }
        }
    }

    /**
     * Brings this engine's networks in line with the store, for a store shared by several servers
     * (PostgreSQL): networks another server added are indexed, those whose stored definition differs
     * are re-indexed from the store's leases, those deleted from the store are dropped. The store is
     * read under the config lock, so a concurrent {@link #putNetwork} of this engine is never undone
     * by an older list. Returns how many networks changed.
     */
    public int syncNetworks() {
        int changed = 0;
        synchronized (configLock) {
            List<NetworkSpec> stored = store.networks().list();
            Map<String, NetworkSpec> byName = new java.util.HashMap<>();
            for (NetworkSpec spec : stored) {
                byName.put(spec.name(), spec);
                NetworkIndex old = indexes.get(spec.name());
                if (old != null && old.spec.equals(spec)) {
                    continue;
                }
                if (old != null) {
                    retire(old);
                }
                try {
                    indexes.put(spec.name(), build(spec));
                } finally {
                    if (old != null) {
                        old.lock.unlock();
                    }
                }
                changed++;
                LOG.info(LogEvents.NETWORK_SYNCED + " network={} cidr={}", spec.name(), spec.cidr());
            }
            for (NetworkIndex idx : List.copyOf(indexes.values())) {
                if (!byName.containsKey(idx.name())) {
                    retire(idx);
                    try {
                        indexes.remove(idx.name());
                    } finally {
                        idx.lock.unlock();
                    }
                    changed++;
                    LOG.info(LogEvents.NETWORK_SYNCED + " network={} removed=true", idx.name());
                }
            }
        }
        return changed;
    }

    /** Locks {@code old} (left locked for the caller) once no operation is in flight on it, and retires it. */
    private static void retire(NetworkIndex old) {
        old.lock.lock();
        while (!old.busyHolders.isEmpty() || old.claims.values().stream().anyMatch(c -> c.kind() == ClaimKind.PENDING)) {
            old.changed.awaitUninterruptibly();
        }
        old.retired = true;
    }

    private NetworkIndex build(NetworkSpec spec) {
        NetworkIndex idx = new NetworkIndex(spec);
        Instant now = clock.instant();
        store.leases().list(spec.name()).forEach(l -> {
            if (l.occupiesAt(now)) {
                idx.markTaken(l.ip());
                idx.addExpiry(l.ip(), l.expiresAt());
                if (l.state() == LeaseState.BOUND) {
                    idx.noteBound(l);
                }
            }
        });
        return idx;
    }

    public Optional<NetworkSpec> network(String name) {
        NetworkIndex idx = indexes.get(name);
        return idx == null ? Optional.empty() : Optional.of(idx.spec);
    }

    public List<NetworkSpec> networks() {
        return indexes.values().stream().map(i -> i.spec).sorted(Comparator.comparing(NetworkSpec::name)).toList();
    }

    // The three lookups below run for every DHCP packet: they walk the live indexes without building
    // and sorting a list. Networks do not overlap (NetworkValidator), so at most one matches.

    public Optional<NetworkSpec> networkForRelay(Ipv4Address giaddr) {
        for (NetworkIndex idx : indexes.values()) {
            if (idx.spec.servesRelay(giaddr)) {
                return Optional.of(idx.spec);
            }
        }
        return Optional.empty();
    }

    public Optional<NetworkSpec> networkForInterface(String ifname) {
        for (NetworkIndex idx : indexes.values()) {
            if (ifname.equals(idx.spec.bridge())) {
                return Optional.of(idx.spec);
            }
        }
        return Optional.empty();
    }

    public Optional<NetworkSpec> networkContaining(Ipv4Address ip) {
        for (NetworkIndex idx : indexes.values()) {
            if (idx.spec.cidr().contains(ip)) {
                return Optional.of(idx.spec);
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- operations

    /** DHCPDISCOVER: proposes an address and holds it in memory for {@code holdFor}. Nothing is stored. */
    public Lease offer(String network, AllocationRequest req, Duration holdFor) {
        try {
            return offerOnce(network, req, holdFor);
        } catch (AllocationException e) {
            if (!resyncedBeforeRefusing(network, e)) {
                throw e;
            }
            return offerOnce(network, req, holdFor);
        }
    }

    private Lease offerOnce(String network, AllocationRequest req, Duration holdFor) {
        HolderKey holder = req.holder();
        NetworkIndex idx = enter(network, holder, req.mac());
        try {
            Instant now = clock.instant();
            Ipv4Address ip = chooseForOffer(idx, req, now);
            idx.dropOffer(holder);
            Instant until = now.plus(holdFor);
            idx.claims.put(ip.value(), new Claim(ClaimKind.OFFER, holder, ip, req.mac(), req.clientId(), req.hostname(), until));
            idx.offerByHolder.put(holder, ip);
            idx.markTaken(ip);
            LOG.debug(LogEvents.LEASE_OFFERED + " network={} ip={} mac={}", network, ip, req.mac());
            return new Lease(network, ip, req.mac(), req.clientId(), req.hostname(), LeaseState.OFFERED, until, now);
        } finally {
            leave(idx, holder, req.mac());
        }
    }

    private Ipv4Address chooseForOffer(NetworkIndex idx, AllocationRequest req, Instant now) {
        HolderKey holder = req.holder();
        Reservation r = idx.reservationFor(req);
        if (r != null && available(idx, req, r.ip(), now)) {
            return r.ip();
        }
        Ipv4Address offered = idx.offerByHolder.get(holder);
        if (offered != null && available(idx, req, offered, now)) {
            return offered;
        }
        Lease mine = store.leases().findByHolder(idx.name(), holder).orElse(null);
        if (mine != null && mine.state() == LeaseState.BOUND && mine.occupiesAt(now) && available(idx, req, mine.ip(), now)) {
            return mine.ip();
        }
        Lease sameMac = boundToSameMac(idx, req, now);
        if (sameMac != null && available(idx, req, sameMac.ip(), now)) {
            return sameMac.ip(); // the same machine with another client-id (or none): it takes its lease over
        }
        if (req.requestedIp() != null && available(idx, req, req.requestedIp(), now)) {
            return req.requestedIp();
        }
        if (mine != null && mine.state() != LeaseState.DECLINED && available(idx, req, mine.ip(), now)) {
            return mine.ip(); // sticky: the address this client had before
        }
        return fromFreeIndex(idx, req, now);
    }

    /** Whether {@code ip} may go to this request's holder now: allowed for it and held by nobody else. */
    private boolean available(NetworkIndex idx, AllocationRequest req, Ipv4Address ip, Instant now) {
        return idx.refusal(req, ip) == null && takenBy(idx, req, ip, now) == null;
    }

    /**
     * Who other than the request's client holds {@code ip} (a live claim or an occupying lease), or
     * null. The client is its holder, and also its MAC: an offer or lease of the same MAC under
     * another client-id (or none) is the same machine's (PXE firmware, then the OS), which this
     * request takes over (PRODUCT.md part 5). A quarantined (declined) address counts as taken even
     * for its last holder.
     */
    private String takenBy(NetworkIndex idx, AllocationRequest req, Ipv4Address ip, Instant now) {
        HolderKey holder = req.holder();
        Claim c = idx.liveClaim(ip, now);
        if (c != null && !c.holder().equals(holder) && !c.mac().equals(req.mac())) {
            return c.holder() + (c.kind() == ClaimKind.OFFER ? " (offered)" : " (being bound)");
        }
        Lease l = store.leases().get(idx.name(), ip).orElse(null);
        if (l != null && l.occupiesAt(now) && (l.state() == LeaseState.DECLINED
                || !l.holder().equals(holder) && !l.mac().equals(req.mac()))) {
            return l.holder() + " (" + l.state().wireName() + ")";
        }
        return null;
    }

    /**
     * The BOUND lease that the request's MAC holds in this network under another holder (another
     * client-id, or none), or null. Two places know it: the store's holder index finds the lease held
     * by the bare MAC, {@link NetworkIndex#boundByIdMac} the one held by a client-id; an entry of the
     * latter that the store no longer confirms is dropped.
     */
    private Lease boundToSameMac(NetworkIndex idx, AllocationRequest req, Instant now) {
        HolderKey holder = req.holder();
        HolderKey bareMac = HolderKey.of(null, req.mac());
        if (!holder.equals(bareMac)) {
            Lease l = store.leases().findByHolder(idx.name(), bareMac).orElse(null);
            if (l != null && l.state() == LeaseState.BOUND && l.occupiesAt(now)) {
                return l;
            }
        }
        Ipv4Address ip = idx.boundByIdMac.get(req.mac());
        if (ip == null) {
            return null;
        }
        Lease l = store.leases().get(idx.name(), ip).orElse(null);
        if (l == null || l.clientId() == null || l.state() != LeaseState.BOUND || !l.occupiesAt(now)
                || !l.mac().equals(req.mac())) {
            idx.boundByIdMac.remove(req.mac(), ip);
            return null;
        }
        return l.holder().equals(holder) ? null : l;
    }

    /**
     * A free pool address from the index: random start (in this server's stripe when servers share
     * the store), next free bit. Each candidate is checked against the store; a stale one (taken
     * behind our back, by another server) is marked taken and the next is tried. No fixed limit on
     * those: each one corrects its bit for good, so the loop ends with a free address or an empty
     * index, and an address the store has free is never refused. (A limit of 16 refused allocations
     * with 802 of 2,033 bits set, most of them taken by the other server: issue 15 item 3.)
     */
    private Ipv4Address fromFreeIndex(NetworkIndex idx, AllocationRequest req, Instant now) {
        long start = searchStart(idx.free.size());
        for (long bound = idx.free.freeCount(); bound >= 0 && idx.free.freeCount() > 0; bound--) {
            long pos = idx.free.nextFreeWrapping(start);
            start = pos;
            Ipv4Address ip = idx.addressAt(pos);
            Claim c = idx.liveClaim(ip, now);
            Lease l = store.leases().get(idx.name(), ip).orElse(null);
            if (c == null && (l == null || !l.occupiesAt(now))) {
                return ip;
            }
            idx.markTaken(ip);
            if (l != null && l.occupiesAt(now)) {
                idx.addExpiry(ip, l.expiresAt());
            }
        }
        throw new AllocationException(Reason.EXHAUSTED, "no free address in network " + idx.name()
                + " (" + idx.free.freeCount() + " of " + idx.dynamicSize + " free)");
    }

    /**
     * Where a search of the free index starts: anywhere, or, when servers share the store, near this
     * server's own point of the index, with the servers' points spaced by the golden ratio (servers
     * numbered one after the other land far apart, for any pool size and any number of servers), and
     * a random offset within a {@link #STRIPES}th of the index. Each server fills the addresses after
     * its point, so two of them seldom choose the same one until the pool is nearly full.
     */
    private long searchStart(long size) {
        if (sharingServer < 0) {
            return random.nextLong(size);
        }
        double point = (sharingServer * 0.6180339887498949) % 1.0;
        return ((long) (point * size) + random.nextLong(Math.max(1, size / STRIPES))) % size;
    }

    /**
     * Before a refusal for want of addresses, on a store that several servers share: reads their
     * writes of the last moments ({@link Store#refreshShared}) and sets the network's free bits from
     * the store again, address by address: those another server took are marked, those it released
     * or let expire are free again (this index learns of those only when their old expiry comes
     * due). Returns true when it did, so the caller tries once more and refuses only when the store
     * agrees the network is full. At most once per {@link #RESYNC_EVERY} per network: a pass costs a
     * store lookup per address, and a truly full network would otherwise pay it for every request.
     */
    private boolean resyncedBeforeRefusing(String network, AllocationException e) {
        if (e.reason() != Reason.EXHAUSTED || sharingServer < 0) {
            return false;
        }
        NetworkIndex idx = index(network);
        Instant now = clock.instant();
        idx.lock.lock();
        try {
            if (idx.lastResync != null && now.isBefore(idx.lastResync.plus(RESYNC_EVERY))) {
                return false;
            }
            idx.lastResync = now;
        } finally {
            idx.lock.unlock();
        }
        try {
            store.refreshShared();
        } catch (StoreException se) {
            LOG.warn(LogEvents.ALLOCATION_RESYNC_FAILED + " network={} error=\"{}\"", network, se.getMessage());
            return false;
        }
        idx.lock.lock();
        try {
            checkLive(idx);
            long before = idx.free.freeCount();
            Instant at = clock.instant();
            for (long pos = 0; pos < idx.free.size(); pos++) {
                Ipv4Address ip = idx.addressAt(pos);
                if (!idx.isDynamic(ip)) {
                    continue;
                }
                Lease l = store.leases().get(network, ip).orElse(null);
                if (idx.liveClaim(ip, at) != null || l != null && l.occupiesAt(at)) {
                    idx.markTaken(ip);
                } else {
                    idx.markFree(ip);
                }
            }
            LOG.info(LogEvents.ALLOCATION_RESYNCED + " network={} free_before={} free_after={}", network, before,
                    idx.free.freeCount());
            return true;
        } finally {
            idx.lock.unlock();
        }
    }

    /**
     * DHCPREQUEST (selecting, init-reboot, renewing, rebinding): binds {@code ip} to the holder,
     * durably, or refuses (the server answers NAK).
     */
    public Lease bind(String network, AllocationRequest req, Ipv4Address ip) {
        HolderKey holder = req.holder();
        NetworkIndex idx = enter(network, holder, req.mac());
        try {
            Instant now = clock.instant();
            AllocationException refusal = idx.refusal(req, ip);
            if (refusal != null) {
                throw refusal;
            }
            String other = takenBy(idx, req, ip, now);
            if (other != null) {
                throw new AllocationException(Reason.ADDRESS_TAKEN, ip + " in " + network + " is held by " + other);
            }
            Lease current = store.leases().findByHolder(network, holder).orElse(null);
            releaseOther(idx, current, ip, now);
            takeOverSameMac(idx, req, now);
            Lease bound = writeBound(idx, req, ip, now, current != null && current.ip().equals(ip)
                    && current.state() == LeaseState.BOUND && current.occupiesAt(now));
            if (bound == null) {
                throw new AllocationException(Reason.ADDRESS_TAKEN, ip + " in " + network + " was just taken by another server");
            }
            return bound;
        } finally {
            leave(idx, holder, req.mac());
        }
    }

    /**
     * API allocation: the requested address, else (reservation, current, previous or any free
     * address), bound durably. Refuses with ADDRESS_TAKEN / EXHAUSTED (409 for the API).
     */
    public Lease allocate(String network, AllocationRequest req) {
        try {
            return allocateOnce(network, req);
        } catch (AllocationException e) {
            if (req.requestedIp() != null || !resyncedBeforeRefusing(network, e)) {
                throw e;
            }
            return allocateOnce(network, req);
        }
    }

    private Lease allocateOnce(String network, AllocationRequest req) {
        HolderKey holder = req.holder();
        NetworkIndex idx = enter(network, holder, req.mac());
        try {
            Instant now = clock.instant();
            Lease previous = store.leases().findByHolder(network, holder).orElse(null);
            if (req.requestedIp() != null) {
                Ipv4Address ip = req.requestedIp();
                AllocationException refusal = idx.refusal(req, ip);
                if (refusal != null) {
                    throw refusal;
                }
                String other = takenBy(idx, req, ip, now);
                if (other != null) {
                    throw new AllocationException(Reason.ADDRESS_TAKEN, ip + " in " + network + " is held by " + other);
                }
                releaseOther(idx, previous, ip, now);
                takeOverSameMac(idx, req, now);
                Lease bound = writeBound(idx, req, ip, now);
                if (bound == null) {
                    throw new AllocationException(Reason.ADDRESS_TAKEN, ip + " in " + network + " was just taken by another server");
                }
                return bound;
            }
            for (int attempt = 0; attempt < MAX_CANDIDATES; attempt++) {
                Ipv4Address ip = chooseForOffer(idx, req, now);
                if (releaseOther(idx, previous, ip, now)) {
                    previous = null;
                }
                takeOverSameMac(idx, req, now);
                Lease bound = writeBound(idx, req, ip, now);
                if (bound != null) {
                    return bound;
                }
                now = clock.instant();
            }
            throw new AllocationException(Reason.EXHAUSTED, "no address could be stored in " + network
                    + " after " + MAX_CANDIDATES + " conflicts with other servers");
        } finally {
            leave(idx, holder, req.mac());
        }
    }

    /**
     * Writes a BOUND lease for the holder: pending claim under the lock, store write without it,
     * settle under it again. Returns null when the store reports another holder (the address is
     * then marked taken in the index).
     */
    private Lease writeBound(NetworkIndex idx, AllocationRequest req, Ipv4Address ip, Instant now) {
        return writeBound(idx, req, ip, now, false);
    }

    /** @param renewal the holder already held {@code ip}: logged as {@code lease.renewed} rather than {@code lease.bound} */
    private Lease writeBound(NetworkIndex idx, AllocationRequest req, Ipv4Address ip, Instant now, boolean renewal) {
        HolderKey holder = req.holder();
        Duration leaseTime = req.leaseTime() != null ? req.leaseTime() : idx.spec.leaseTime();
        Lease lease = new Lease(idx.name(), ip, req.mac(), req.clientId(), req.hostname(), LeaseState.BOUND,
                now.plus(leaseTime), now);
        Claim before = idx.claims.put(ip.value(), new Claim(ClaimKind.PENDING, holder, ip, req.mac(), req.clientId(),
                req.hostname(), now));
        idx.markTaken(ip);
        WriteResult result;
        idx.lock.unlock();
        try {
            result = store.leases().put(lease, now);
        } catch (StoreException e) {
            idx.lock.lock();
            settle(idx, ip, before);
            throw new AllocationException(Reason.STORE_UNAVAILABLE, "cannot store lease of " + ip + " in " + idx.name(), e);
        }
        idx.lock.lock();
        idx.claims.remove(ip.value());
        idx.changed.signalAll();
        if (!result.applied()) {
            if (result.current().ip().equals(ip)) {
                idx.addExpiry(ip, result.current().expiresAt());
            } else {
                // a store shared by several servers refused because the holder has a bound lease elsewhere
                // (written by another server moments ago): this address is not taken, the caller retries
                // with the one the holder has
                settle(idx, ip, before);
            }
            LOG.warn(LogEvents.LEASE_STORE_CONFLICT + " network={} ip={} holder={} current={}", idx.name(), ip, holder,
                    result.current().holder());
            return null;
        }
        idx.dropOffer(holder);
        idx.addExpiry(ip, lease.expiresAt());
        idx.noteBound(lease);
        LOG.info("{} network={} ip={} mac={} holder={} expiresAt={}", renewal ? LogEvents.LEASE_RENEWED : LogEvents.LEASE_BOUND, idx.name(),
                ip, req.mac(), holder, lease.expiresAt());
        return lease;
    }

    /** After a failed write: put back the claim that was there (an offer of this holder) or free the address. */
    private void settle(NetworkIndex idx, Ipv4Address ip, Claim before) {
        if (before != null && before.liveAt(clock.instant())) {
            idx.claims.put(ip.value(), before);
        } else {
            idx.claims.remove(ip.value());
            Lease l = store.leases().get(idx.name(), ip).orElse(null);
            if (l == null || !l.occupiesAt(clock.instant())) {
                idx.markFree(ip);
            }
        }
        idx.changed.signalAll();
    }

    /**
     * A holder moving to another address gives up its old one first, so it never holds two (and
     * the store's "most recent lease of this holder" is the new one once it is written).
     */
    private boolean releaseOther(NetworkIndex idx, Lease previous, Ipv4Address newIp, Instant now) {
        if (previous != null && !previous.ip().equals(newIp) && previous.state() == LeaseState.BOUND
                && previous.occupiesAt(now)) {
            writeFreed(idx, previous, LeaseState.RELEASED, now);
            return true;
        }
        return false;
    }

    /**
     * One MAC never holds two bound leases in a network (PRODUCT.md part 5): the lease its machine
     * holds under another client-id (or none) is released before this request's lease is written,
     * the same address or another. Released rather than rewritten in place, because the store refuses
     * a write over another holder's occupying lease, and that rule is what keeps servers sharing a
     * store from double-booking.
     */
    private void takeOverSameMac(NetworkIndex idx, AllocationRequest req, Instant now) {
        Lease other = boundToSameMac(idx, req, now);
        if (other != null && writeFreed(idx, other, LeaseState.RELEASED, now) != null) {
            LOG.info(LogEvents.LEASE_TAKEN_OVER + " network={} ip={} mac={} from={} to={}", idx.name(), other.ip(), req.mac(),
                    other.holder(), req.holder());
        }
    }

    /** Writes a released/expired record (under the lock: rare, and must not race a rebind) and frees the bit. */
    private Lease writeFreed(NetworkIndex idx, Lease l, LeaseState state, Instant now) {
        Lease freed = l.withState(state, now, now);
        WriteResult r;
        try {
            r = store.leases().put(freed, now);
        } catch (StoreException e) {
            throw new AllocationException(Reason.STORE_UNAVAILABLE, "cannot store " + state.wireName() + " lease of "
                    + l.ip() + " in " + idx.name(), e);
        }
        if (!r.applied()) {
            return null;
        }
        idx.noteGone(l);
        if (idx.liveClaim(l.ip(), now) == null) {
            idx.markFree(l.ip());
        }
        LOG.info("{} network={} ip={} mac={}", LogEvents.lease(state), idx.name(), l.ip(), l.mac());
        return freed;
    }

    /**
     * DHCPRELEASE, or the client took another server's offer: frees {@code ip} when {@code holder}
     * holds it (RFC 2131: no reply either way). Returns the RELEASED record written for a bound lease;
     * for an offer in flight (never stored) the withdrawn offer as a RELEASED lease that is <em>not</em>
     * stored, so the caller can tell a withdrawn offer from "held nothing" (empty).
     */
    public Optional<Lease> release(String network, HolderKey holder, Ipv4Address ip) {
        NetworkIndex idx = enter(network, holder);
        try {
            Instant now = clock.instant();
            Ipv4Address offered = idx.offerByHolder.get(holder);
            Claim offer = null;
            if (ip.equals(offered)) {
                Claim c = idx.liveClaim(ip, now);
                offer = c != null && c.kind() == ClaimKind.OFFER && c.holder().equals(holder) ? c : null;
                idx.dropOffer(holder);
            }
            Lease l = store.leases().get(network, ip).orElse(null);
            if (l == null || !l.holder().equals(holder) || l.state() != LeaseState.BOUND || !l.occupiesAt(now)) {
                if (ip.equals(offered) && (l == null || !l.occupiesAt(now))) {
                    idx.markFree(ip);
                }
                if (offer != null) {
                    LOG.debug(LogEvents.LEASE_OFFER_WITHDRAWN + " network={} ip={} mac={}", network, ip, offer.mac());
                    return Optional.of(offerLease(network, offer).withState(LeaseState.RELEASED, now, now));
                }
                return Optional.empty();
            }
            return Optional.ofNullable(writeFreed(idx, l, LeaseState.RELEASED, now));
        } finally {
            leave(idx, holder);
        }
    }

    /** API DELETE of an allocation: frees {@code ip} whoever holds it. */
    public Optional<Lease> releaseAddress(String network, Ipv4Address ip) {
        index(network);
        Lease l = store.leases().get(network, ip).orElse(null);
        if (l == null) {
            return Optional.empty();
        }
        return release(network, l.holder(), ip);
    }

    /** DHCPDECLINE: the holder found {@code ip} in use; it is quarantined. */
    public Lease decline(String network, HolderKey holder, Ipv4Address ip) {
        NetworkIndex idx = enter(network, holder);
        try {
            Instant now = clock.instant();
            Claim c = idx.liveClaim(ip, now);
            Lease l = store.leases().get(network, ip).orElse(null);
            Lease basis;
            if (l != null && l.holder().equals(holder) && l.state() == LeaseState.BOUND && l.occupiesAt(now)) {
                basis = l;
            } else if (c != null && c.kind() == ClaimKind.OFFER && c.holder().equals(holder)) {
                basis = new Lease(network, ip, c.mac(), c.clientId(), c.hostname(), LeaseState.OFFERED, c.expiresAt(), now);
            } else {
                throw new AllocationException(Reason.NO_LEASE, holder + " holds no lease of " + ip + " in " + network);
            }
            Lease declined = writeQuarantine(idx, basis, now, "declined by " + holder);
            idx.dropOffer(holder);
            return declined;
        } finally {
            leave(idx, holder);
        }
    }

    /** A conflict probe (ARP/ping) found {@code ip} in use: quarantined, never offered meanwhile. */
    public Lease markConflict(String network, Ipv4Address ip, String evidence) {
        NetworkIndex idx = index(network);
        idx.lock.lock();
        try {
            checkLive(idx);
            if (!idx.spec.cidr().contains(ip)) {
                throw new AllocationException(Reason.NOT_IN_NETWORK, ip + " is not in network " + network);
            }
            // a bind in flight on this address settles first, so our record is not overwritten by it
            Claim c;
            while ((c = idx.liveClaim(ip, clock.instant())) != null && c.kind() == ClaimKind.PENDING) {
                idx.changed.awaitUninterruptibly();
            }
            Instant now = clock.instant();
            Lease l = store.leases().get(network, ip).orElse(null);
            Lease basis;
            if (l != null && l.occupiesAt(now)) {
                basis = l;
            } else if (c != null) {
                basis = new Lease(network, ip, c.mac(), c.clientId(), c.hostname(), LeaseState.OFFERED, c.expiresAt(), now);
                idx.dropOffer(c.holder());
            } else if (l != null) {
                basis = l;
            } else {
                basis = new Lease(network, ip, UNKNOWN_MAC, null, null, LeaseState.EXPIRED, now, now);
            }
            return writeQuarantine(idx, basis, now, evidence);
        } finally {
            idx.lock.unlock();
        }
    }

    private Lease writeQuarantine(NetworkIndex idx, Lease basis, Instant now, String evidence) {
        Lease declined = basis.withState(LeaseState.DECLINED, now.plus(quarantine), now);
        WriteResult r;
        try {
            r = store.leases().put(declined, now);
        } catch (StoreException e) {
            throw new AllocationException(Reason.STORE_UNAVAILABLE, "cannot store quarantine of " + basis.ip(), e);
        }
        if (!r.applied()) {
            throw new AllocationException(Reason.ADDRESS_TAKEN, basis.ip() + " is held by " + r.current().holder());
        }
        idx.markTaken(basis.ip());
        idx.addExpiry(basis.ip(), declined.expiresAt());
        idx.noteGone(basis);
        LOG.warn(LogEvents.LEASE_DECLINED + " network={} ip={} mac={} until={} evidence=\"{}\"", idx.name(), basis.ip(),
                basis.mac(), declined.expiresAt(), evidence);
        return declined;
    }

    /**
     * Expires bound leases past their end (durably), drops offers past their hold and frees
     * quarantined addresses past their quarantine. Returns how many addresses became free.
     */
    public int reclaimExpired() {
        int freed = 0;
        for (NetworkIndex idx : List.copyOf(indexes.values())) {
            idx.lock.lock();
            try {
                if (idx.retired) {
                    continue;
                }
                Instant now = clock.instant();
                for (Claim c : List.copyOf(idx.claims.values())) {
                    if (!c.liveAt(now)) {
                        idx.liveClaim(c.ip(), now); // drops it
                        Lease l = store.leases().get(idx.name(), c.ip()).orElse(null);
                        if (l == null || !l.occupiesAt(now)) {
                            idx.markFree(c.ip());
                            freed++;
                        }
                    }
                }
                long slot;
                while ((slot = idx.expiries.pollDue(now.getEpochSecond())) >= 0) {
                    Ipv4Address ip = idx.slotAddress(slot);
                    if (idx.liveClaim(ip, now) != null) {
                        continue; // a bind in flight or an offer: it has its own expiry
                    }
                    Lease l = store.leases().get(idx.name(), ip).orElse(null);
                    if (l == null) {
                        if (idx.freeIfTaken(ip)) {
                            freed++; // removed by another server sharing the store
                        }
                        continue;
                    }
                    if (l.occupiesAt(now)) {
                        // Renewed since. A renewal through this engine queued its own entry, one through
                        // another server sharing the store did not: queue one, or the bit stays taken for ever.
                        idx.addExpiry(ip, l.expiresAt());
                        continue;
                    }
                    if (l.state() == LeaseState.BOUND) {
                        try {
                            if (writeFreed(idx, l, LeaseState.EXPIRED, now) != null) {
                                freed++;
                            }
                        } catch (AllocationException e) {
                            idx.addExpiry(ip, now); // try again next round
                            LOG.warn(LogEvents.LEASE_EXPIRE_FAILED + " network={} ip={} error=\"{}\"", idx.name(), ip, e.getMessage());
                            break;
                        }
                    } else if (l.state() == LeaseState.DECLINED) {
                        idx.markFree(ip);
                        freed++;
                        LOG.info(LogEvents.LEASE_QUARANTINE_OVER + " network={} ip={}", idx.name(), ip);
                    } else if (idx.freeIfTaken(ip)) {
                        freed++; // released or expired by another server sharing the store: ours to offer again
                    }
                }
            } finally {
                idx.lock.unlock();
            }
        }
        return freed;
    }

    // ---------------------------------------------------------------- queries

    /** The holder's offer in flight, else its most recent lease in the store (any state). */
    public Optional<Lease> leaseOf(String network, HolderKey holder) {
        NetworkIndex idx = index(network);
        idx.lock.lock();
        try {
            Ipv4Address offered = idx.offerByHolder.get(holder);
            if (offered != null) {
                Claim c = idx.liveClaim(offered, clock.instant());
                if (c != null && c.kind() == ClaimKind.OFFER) {
                    return Optional.of(offerLease(network, c));
                }
            }
        } finally {
            idx.lock.unlock();
        }
        return store.leases().findByHolder(network, holder);
    }

    /**
     * The lease a client has as its REQUEST for {@code req.requestedIp()} sees it: the holder's bound
     * lease of that address, else its offer or occupying lease, else the
     * bound lease of its MAC under another client-id (or none), which binding takes over, else the
     * holder's most recent lease in any state. So a machine whose OS sends a client-id where its
     * firmware sent none is verified against the lease its firmware got.
     */
    public Optional<Lease> clientLease(String network, AllocationRequest req) {
        // The bound lease the client names first, before an offer of ours: a client that took another
        // server's offer may have left one here (a DISCOVER handled after its REQUEST, under load),
        // and its renewal must not be checked against that.
        Lease stored = store.leases().findByHolder(network, req.holder()).orElse(null);
        if (stored != null && stored.ip().equals(req.requestedIp()) && stored.state() == LeaseState.BOUND
                && stored.occupiesAt(clock.instant())) {
            return Optional.of(stored);
        }
        Optional<Lease> own = leaseOf(network, req.holder());
        if (own.isPresent() && own.get().occupiesAt(clock.instant()) && own.get().state() != LeaseState.DECLINED) {
            return own;
        }
        NetworkIndex idx = index(network);
        idx.lock.lock();
        try {
            Lease sameMac = boundToSameMac(idx, req, clock.instant());
            return sameMac != null ? Optional.of(sameMac) : own;
        } finally {
            idx.lock.unlock();
        }
    }

    public Optional<Lease> lease(String network, Ipv4Address ip) {
        NetworkIndex idx = index(network);
        idx.lock.lock();
        try {
            Claim c = idx.liveClaim(ip, clock.instant());
            if (c != null && c.kind() == ClaimKind.OFFER) {
                return Optional.of(offerLease(network, c));
            }
        } finally {
            idx.lock.unlock();
        }
        return store.leases().get(network, ip);
    }

    /**
     * One page of the network's leases as clients see them: the store's leases plus the offers in
     * flight, an offer standing in for a stored lease that no longer occupies its address. Those
     * above {@code after} (all when null) that pass {@code filter}, in address order, at most
     * {@code limit}; the next page starts after the last one returned.
     *
     * <p>Cost: one page of the store ({@link dev.vmaddr.store.LeaseStore#list(String, Ipv4Address,
     * int, Predicate)}, which leaves out stored leases an offer stands in for), a pass over the
     * offers in flight (few: an offer lives until its REQUEST or for seconds), and a store lookup per
     * offer that falls within the page.
     */
    public List<Lease> leases(String network, Ipv4Address after, int limit, Predicate<Lease> filter) {
        Objects.requireNonNull(filter, "filter");
        NetworkIndex idx = index(network);
        TreeMap<Ipv4Address, Lease> offers = new TreeMap<>();
        idx.lock.lock();
        try {
            Instant now = clock.instant();
            for (Claim c : idx.claims.values()) {
                if (c.kind() == ClaimKind.OFFER && c.liveAt(now) && (after == null || c.ip().compareTo(after) > 0)) {
                    offers.put(c.ip(), offerLease(network, c));
                }
            }
        } finally {
            idx.lock.unlock();
        }
        if (offers.isEmpty()) {
            return store.leases().list(network, after, limit, filter);
        }
        List<Lease> stored = store.leases().list(network, after, limit,
                l -> filter.test(l) && !standsIn(offers.get(l.ip()), l));
        // With a full page of stored leases, an offer above the last of them cannot be on the page.
        Ipv4Address last = stored.size() == limit ? stored.getLast().ip() : null;
        TreeMap<Ipv4Address, Lease> page = new TreeMap<>();
        for (Lease l : stored) {
            page.put(l.ip(), l);
        }
        for (Lease offer : (last == null ? offers : offers.headMap(last, true)).values()) {
            // read again: the stored lease may have changed since the page was read (the offer bound)
            Lease there = store.leases().get(network, offer.ip()).orElse(null);
            Lease shown = standsIn(offer, there) ? offer : there;
            if (shown != null && filter.test(shown)) {
                page.put(shown.ip(), shown);
            } else {
                page.remove(offer.ip());
            }
        }
        List<Lease> out = new ArrayList<>(Math.min(limit, page.size()));
        for (Lease l : page.values()) {
            if (out.size() == limit) {
                break;
            }
            out.add(l);
        }
        return out;
    }

    /** Whether an offer in flight is shown in place of the stored lease of its address (null: none). */
    private static boolean standsIn(Lease offer, Lease stored) {
        return offer != null && (stored == null || !stored.occupiesAt(offer.updatedAt()));
    }

    public PoolStats stats(String network) {
        NetworkIndex idx = index(network);
        idx.lock.lock();
        try {
            long free = idx.free.freeCount();
            return new PoolStats(idx.dynamicSize, idx.dynamicSize - free, free);
        } finally {
            idx.lock.unlock();
        }
    }

    private Lease offerLease(String network, Claim c) {
        return new Lease(network, c.ip(), c.mac(), c.clientId(), c.hostname(), LeaseState.OFFERED, c.expiresAt(),
                clock.instant());
    }

    // ---------------------------------------------------------------- locking

    private NetworkIndex index(String network) {
        NetworkIndex idx = indexes.get(network);
        if (idx == null) {
            throw new AllocationException(Reason.UNKNOWN_NETWORK, "no network named " + network);
        }
        return idx;
    }

    private static void checkLive(NetworkIndex idx) {
        if (idx.retired) {
            throw new AllocationException(Reason.UNKNOWN_NETWORK, "network " + idx.name() + " was just reconfigured or removed");
        }
    }

    /**
     * Takes the network's lock and waits until no other operation of {@code holder} is in flight.
     * A network replaced meanwhile is looked up again.
     */
    private NetworkIndex enter(String network, HolderKey holder) {
        return enter(network, holder, null);
    }

    /**
     * Also waits for, and marks busy, the bare MAC when the holder is a client-id: operations of one
     * machine under different client-ids then run one at a time too, so two of them cannot each
     * bind a lease for the same MAC.
     */
    private NetworkIndex enter(String network, HolderKey holder, MacAddress mac) {
        HolderKey machine = mac == null ? holder : HolderKey.of(null, mac);
        for (int i = 0; ; i++) {
            NetworkIndex idx = index(network);
            idx.lock.lock();
            if (idx.retired) {
                idx.lock.unlock();
                if (i > 100) {
                    checkLive(idx);
                }
                continue;
            }
            while ((idx.busyHolders.contains(holder) || idx.busyHolders.contains(machine)) && !idx.retired) {
                idx.changed.awaitUninterruptibly();
            }
            if (idx.retired) {
                idx.lock.unlock();
                continue;
            }
            idx.busyHolders.add(holder);
            idx.busyHolders.add(machine);
            return idx;
        }
    }

    private static void leave(NetworkIndex idx, HolderKey holder, MacAddress mac) {
        idx.busyHolders.remove(HolderKey.of(null, mac));
        leave(idx, holder);
    }

    private static void leave(NetworkIndex idx, HolderKey holder) {
        idx.busyHolders.remove(holder);
        idx.changed.signalAll();
        idx.lock.unlock();
    }
}
