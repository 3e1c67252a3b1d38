package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.ipam.NetworkIndex.Claim;
import dev.vmaddr.ipam.NetworkIndex.ClaimKind;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who gets which IPv4 address, after Kea's allocation engine: a candidate comes from the
 * client's reservation, its current or previous lease, its requested address, or the free-address
 * index ({@link Candidates}, whose free-index search an {@link Allocator} proposes); the engine
 * checks every candidate against the rules (reservations, exclusions, gateway, network and
 * broadcast, leases of others, in-flight offers) before granting it, and every grant, whichever
 * operation asked, goes one way ({@link #grant}).
 *
 * <p><b>Where the truth is.</b> Leases live in the {@link Store}; it refuses to write a lease over
 * another holder's occupying lease, so even several servers sharing it cannot double-book. The
 * engine keeps only indexes per network ({@link NetworkIndex}, kept by {@link NetworkRegistry}): a
 * bitmap of free pool addresses, offers (memory only: a lost offer is harmless), pending writes and
 * an expiry queue, rebuilt from the store when a network is put and at construction.
 *
 * <p><b>Concurrency.</b> One lock per network guards its index. Operations of one holder are
 * serialised (the index's holder gate), operations of different holders interleave. A grant is
 * decided under the lock and written by {@link LeaseWrites#writeBound}, which releases the lock for
 * the durable store write. A store conflict (another server took the address) marks it taken and
 * another candidate is tried, a bounded number of times.
 *
 * <p><b>Its parts.</b> {@link NetworkRegistry} (networks, reconfiguration, the gate's entry),
 * {@link Candidates} (candidates and the checks), {@link LeaseWrites} (store writes with their index
 * changes), {@link LeaseReclaimer} (expiry), {@link LeaseQueries} (reads and page merging). This
 * class holds the operations and is the one entry other packages call.
 */
public final class AllocationEngine {
    private static final Logger LOG = LoggerFactory.getLogger(AllocationEngine.class);
    public static final Duration DEFAULT_QUARANTINE = Duration.ofMinutes(10);
    /** Store writes tried before giving up: each failure is a race lost to another server sharing the store. */
    static final int MAX_CANDIDATES = 16;

    private final Store store;
    private final Clock clock;
    private final NetworkRegistry registry;
    private final Candidates candidates;
    private final LeaseWrites writes;
    private final LeaseReclaimer reclaimer;
    private final LeaseQueries queries;
    private final LeaseRate leaseRate;
    private final ClientIdSightings sightings = new ClientIdSightings();
    private final LeaseImporter importer;
    private final AddressBlocks blocks;

    public AllocationEngine(Store store, Clock clock, RandomGenerator random) {
        this(store, clock, random, DEFAULT_QUARANTINE);
    }

    /** @param quarantine how long a declined or conflicting address stays out of use */
    public AllocationEngine(Store store, Clock clock, RandomGenerator random, Duration quarantine) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(quarantine, "quarantine");
        this.registry = new NetworkRegistry(store, clock);
        this.candidates = new Candidates(store, clock, new RandomStartAllocator(random, store.sharingServerNumber()));
        this.leaseRate = new LeaseRate(clock);
        this.writes = new LeaseWrites(store, clock, quarantine, leaseRate::bound);
        this.reclaimer = new LeaseReclaimer(registry, store, clock, writes);
        this.queries = new LeaseQueries(registry, store, clock, candidates);
        this.importer = new LeaseImporter(registry, store, clock);
        this.blocks = new AddressBlocks(registry, store, clock, writes);
    }

    // ---------------------------------------------------------------- networks

    /**
     * Stores durably, then replaces the network's index (rebuilt from the store's leases). The
     * network's own rules are checked here (the index relies on them); the rules between networks
     * (no CIDR overlap) and every edit's read-modify-write are {@link NetworkCatalog}'s, the only
     * caller outside tests.
     */
    public void putNetwork(NetworkSpec spec) {
        registry.put(spec);
    }

    public boolean removeNetwork(String name) {
        leaseRate.forget(name);
        boolean removed = registry.remove(name);
        sightings.forgetNetwork(name);
        return removed;
    }

    /** See {@link NetworkRegistry#sync}: for a store shared by several servers. Returns how many networks changed. */
    public int syncNetworks() {
        return registry.sync();
    }

    public Optional<NetworkSpec> network(String name) {
        return registry.network(name);
    }

    public List<NetworkSpec> networks() {
        return registry.networks();
    }

    public Optional<NetworkSpec> networkForRelay(Ipv4Address giaddr) {
        return registry.networkForRelay(giaddr);
    }

    public Optional<NetworkSpec> networkForInterface(String ifname) {
        return registry.networkForInterface(ifname);
    }

    public Optional<NetworkSpec> networkContaining(Ipv4Address ip) {
        return registry.networkContaining(ip);
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
        NetworkIndex idx = enter(network, req);
        try {
            Instant now = clock.instant();
            Ipv4Address ip = candidates.choose(idx, req, now);
            Instant until = now.plus(holdFor);
            idx.holdOffer(new Claim(ClaimKind.OFFER, holder, ip, req.mac(), req.clientId(), req.hostname(), until));
            LOG.debug(LogEvents.LEASE_OFFERED + " network={} ip={} mac={}", network, ip, req.mac());
            return new Lease(network, ip, req.mac(), req.clientId(), req.hostname(), LeaseState.OFFERED, until, now);
        } finally {
            leave(idx, req);
        }
    }

    /** Before a refusal for want of addresses on a shared store: {@link Candidates#resynced}; true when the caller may try again. */
    private boolean resyncedBeforeRefusing(String network, AllocationException e) {
        return candidates.resyncMayHelp(e) && candidates.resynced(registry.index(network));
    }

    /**
     * DHCPREQUEST (selecting, init-reboot, renewing, rebinding): binds {@code ip} to the holder,
     * durably, or refuses (the server answers NAK).
     */
    public Lease bind(String network, AllocationRequest req, Ipv4Address ip) {
        NetworkIndex idx = enter(network, req);
        try {
            Instant now = clock.instant();
            Lease current = store.leases().findByHolder(network, req.holder()).orElse(null);
            boolean renewal = current != null && current.ip().equals(ip) && current.state() == LeaseState.BOUND
                    && current.occupiesAt(now);
            return grantNamed(idx, req, ip, now, current, renewal);
        } finally {
            leave(idx, req);
        }
    }

    /**
     * API allocation: the requested address, else (reservation, current, previous or any free
     * address), bound durably. Refuses with ADDRESS_TAKEN / EXHAUSTED (409 for the API).
     */
    public Lease allocate(String network, AllocationRequest asked) {
        // a network keyed by MAC ignores a client-id (leaseKey: mac), from the API as from DHCP
        AllocationRequest req = asked.clientId() == null ? asked : registry.network(network)
                .map(n -> n.effectiveClientId(asked.clientId()) == null
                        ? new AllocationRequest(asked.mac(), null, asked.requestedIp(), asked.hostname(), asked.leaseTime())
                        : asked)
                .orElse(asked);
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
        NetworkIndex idx = enter(network, req);
        try {
            Instant now = clock.instant();
            Lease previous = store.leases().findByHolder(network, req.holder()).orElse(null);
            if (req.requestedIp() != null) {
                return grantNamed(idx, req, req.requestedIp(), now, previous, false);
            }
            for (int attempt = 0; attempt < MAX_CANDIDATES; attempt++) {
                Ipv4Address ip = candidates.choose(idx, req, now);
                boolean movesAway = movesAway(previous, ip, now);
                Lease bound = grant(idx, req, ip, now, previous, false);
                if (bound != null) {
                    return bound;
                }
                if (movesAway) {
                    previous = null; // released by the grant that failed
                }
                now = clock.instant();
            }
            throw new AllocationException(Reason.EXHAUSTED, "no address could be stored in " + network
                    + " after " + MAX_CANDIDATES + " conflicts with other servers");
        } finally {
            leave(idx, req);
        }
    }

    /**
     * The grant of an address the client named (a DHCPREQUEST's, an API allocation's requested one):
     * refused when the rules forbid it for this client or another holds it, else {@link #grant}ed;
     * a store conflict is a refusal too (no other candidate: the client asked for this one).
     */
    private Lease grantNamed(NetworkIndex idx, AllocationRequest req, Ipv4Address ip, Instant now, Lease previous,
                             boolean renewal) {
        AllocationException refusal = idx.refusal(req, ip);
        if (refusal != null) {
            throw refusal;
        }
        String other = candidates.takenBy(idx, req, ip, now);
        if (other != null) {
            throw new AllocationException(Reason.ADDRESS_TAKEN, ip + " in " + idx.name() + " is held by " + other);
        }
        Lease bound = grant(idx, req, ip, now, previous, renewal);
        if (bound == null) {
            throw new AllocationException(Reason.ADDRESS_TAKEN, ip + " in " + idx.name() + " was just taken by another server");
        }
        return bound;
    }

    /**
     * The one way an address becomes bound, for bind and allocate alike: the holder's other address
     * and its MAC's lease under another holder are given up, then the lease is written. Returns null
     * when the store refused the write (another server took {@code ip}).
     *
     * @param previous the holder's most recent lease, or null
     * @param renewal the holder already held {@code ip}: logged as {@code lease.renewed}
     */
    private Lease grant(NetworkIndex idx, AllocationRequest req, Ipv4Address ip, Instant now, Lease previous,
                        boolean renewal) {
        if (movesAway(previous, ip, now)) {
            // A holder moving to another address gives up its old one first, so it never holds two
            // (and the store's "most recent lease of this holder" is the new one once it is written).
            writes.writeFreed(idx, previous, LeaseState.RELEASED, now);
        }
        takeOverSameMac(idx, req, now);
        Lease bound = writes.writeBound(idx, req, ip, now, renewal);
        if (bound != null) {
            noteSharedClientId(idx, req, previous, now);
        }
        return bound;
    }

    /**
     * A client-id whose live lease was bound from another MAC: two machines with one machine-id (a
     * clone or a restore), taking one lease from each other (harvester#4474). Noted for the drift
     * findings ({@link #sharedClientIds}) and logged the first time each MAC is seen.
     */
    private void noteSharedClientId(NetworkIndex idx, AllocationRequest req, Lease previous, Instant now) {
        if (req.clientId() == null || previous == null || previous.mac().equals(req.mac())
                || !req.holder().equals(previous.holder()) || previous.state() != LeaseState.BOUND || !previous.occupiesAt(now)) {
            return;
        }
        if (sightings.note(idx.name(), req.clientId(), previous.mac(), req.mac(), previous.ip(), now)) {
            LOG.warn(LogEvents.LEASE_CLIENT_ID_SHARED + " network={} client_id={} ip={} mac={} other_mac={}", idx.name(),
                    req.clientId(), previous.ip(), req.mac(), previous.mac());
        }
    }

    /**
     * Client-ids this server saw binding from several MACs in {@code network} within the last day,
     * newest first: the evidence for a drift finding (a cloned machine-id; fix: a new machine-id in
     * the clone, or {@code leaseKey: mac} on the network).
     */
    public List<SharedClientId> sharedClientIds(String network) {
        return sightings.of(network, clock.instant());
    }

    /** Whether granting {@code newIp} moves the holder away from the bound address {@code previous}. */
    private static boolean movesAway(Lease previous, Ipv4Address newIp, Instant now) {
        return previous != null && !previous.ip().equals(newIp) && previous.state() == LeaseState.BOUND
                && previous.occupiesAt(now);
    }

    /**
     * One MAC never holds two bound leases in a network (PRODUCT.md part 5): the lease its machine
     * holds under another client-id (or none) is released before this request's lease is written,
     * the same address or another. Released rather than rewritten in place, because the store refuses
     * a write over another holder's occupying lease, and that rule is what keeps servers sharing a
     * store from double-booking.
     */
    private void takeOverSameMac(NetworkIndex idx, AllocationRequest req, Instant now) {
        Lease other = candidates.boundToSameMac(idx, req, now);
        if (other != null && writes.writeFreed(idx, other, LeaseState.RELEASED, now) != null) {
            LOG.info(LogEvents.LEASE_TAKEN_OVER + " network={} ip={} mac={} from={} to={}", idx.name(), other.ip(), req.mac(),
                    other.holder(), req.holder());
        }
    }

    /**
     * DHCPRELEASE, or the client took another server's offer: frees {@code ip} when {@code holder}
     * holds it (RFC 2131: no reply either way). Returns the RELEASED record written for a bound lease;
     * for an offer in flight (never stored) the withdrawn offer as a RELEASED lease that is <em>not</em>
     * stored, so the caller can tell a withdrawn offer from "held nothing" (empty).
     */
    public Optional<Lease> release(String network, HolderKey holder, Ipv4Address ip) {
        NetworkIndex idx = registry.enter(network, holder, holder);
        try {
            Instant now = clock.instant();
            Ipv4Address offered = idx.offeredTo(holder);
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
                    return Optional.of(queries.offerLease(network, offer).withState(LeaseState.RELEASED, now, now));
                }
                return Optional.empty();
            }
            return Optional.ofNullable(writes.writeFreed(idx, l, LeaseState.RELEASED, now));
        } finally {
            idx.leave(holder, holder);
        }
    }

    /** API DELETE of an allocation: frees {@code ip} whoever holds it. */
    public Optional<Lease> releaseAddress(String network, Ipv4Address ip) {
        registry.index(network);
        Lease l = store.leases().get(network, ip).orElse(null);
        if (l == null) {
            return Optional.empty();
        }
        return release(network, l.holder(), ip);
    }

    /** DHCPDECLINE: the holder found {@code ip} in use; it is quarantined. */
    public Lease decline(String network, HolderKey holder, Ipv4Address ip) {
        NetworkIndex idx = registry.enter(network, holder, holder);
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
            Lease declined = writes.writeQuarantine(idx, basis, now, "declined by " + holder);
            idx.dropOffer(holder);
            return declined;
        } finally {
            idx.leave(holder, holder);
        }
    }

    /** A conflict probe (ARP/ping) found {@code ip} in use: quarantined, never offered meanwhile ({@link AddressBlocks}). */
    public Lease markConflict(String network, Ipv4Address ip, String evidence) {
        return blocks.markConflict(network, ip, evidence);
    }

    /**
     * A guest uses {@code ip} though it is not its NIC's address: blocked so it is never offered;
     * false, writing nothing, when it is not a free pool address ({@link AddressBlocks#markSquatted}).
     */
    public boolean markSquatted(String network, Ipv4Address ip, MacAddress squatter, String evidence) {
        return blocks.markSquatted(network, ip, squatter, evidence);
    }

    /**
     * vmaddr import: binds each lease (ip, mac, client-id, hostname, expiresAt; other fields ignored)
     * to its client until its own expiry, all in one store write, unless the network's rules or
     * another holder forbid it (a conflict, left alone). Leases already held so are unchanged. With
     * {@code dryRun} nothing is written and the outcome is what a real run would do now ({@code reserving}:
     * the reservations the same import adds, by address).
     * See {@link LeaseImporter}.
     */
    public ImportOutcome importLeases(String network, List<Lease> leases, java.util.Map<Ipv4Address, dev.vmaddr.model.Reservation> reserving,
                                      boolean dryRun) {
        return importer.importLeases(network, leases, reserving, dryRun);
    }

    /** Expires bound leases past their end, drops offers past their hold, ends quarantines: {@link LeaseReclaimer}. Returns how many addresses became free. */
    public int reclaimExpired() {
        return reclaimer.reclaimExpired();
    }

    // ---------------------------------------------------------------- queries ({@link LeaseQueries})

    /** The holder's offer in flight, else its most recent lease in the store (any state). */
    public Optional<Lease> leaseOf(String network, HolderKey holder) {
        return queries.leaseOf(network, holder);
    }

    /**
     * The lease a client has as its REQUEST for {@code req.requestedIp()} sees it: the holder's bound
     * lease of that address, else its offer or occupying lease, else the
     * bound lease of its MAC under another client-id (or none), which binding takes over, else the
     * holder's most recent lease in any state. So a machine whose OS sends a client-id where its
     * firmware sent none is verified against the lease its firmware got.
     */
    public Optional<Lease> clientLease(String network, AllocationRequest req) {
        return queries.clientLease(network, req);
    }

    /**
     * Whether {@code network} knows this client: a reservation matches it (VM NICs' addresses are
     * reservations), or a lease of any state is held under its MAC or its client-id, or its MAC holds
     * a bound lease under another client-id (imported, CNI and API holders). Offers do not count.
     * Reads memory, then at most two holder lookups in the store (PRODUCT.md "Known clients only").
     */
    public boolean knows(String network, MacAddress mac, ClientId clientId) {
        return queries.knows(network, mac, clientId);
    }

    public Optional<Lease> lease(String network, Ipv4Address ip) {
        return queries.lease(network, ip);
    }

    /** One page of the network's leases as clients see them, offers in flight included: {@link LeaseQueries#leases}. */
    public List<Lease> leases(String network, Ipv4Address after, int limit, Predicate<Lease> filter) {
        return queries.leases(network, after, limit, filter);
    }

    public PoolStats stats(String network) {
        return queries.stats(network);
    }

    /** Leases this server granted (bound or renewed) in the network per minute: {@link LeaseRate}. */
    public LeaseRate.Snapshot leaseRate(String network) {
        return leaseRate.snapshot(network);
    }

    // ---------------------------------------------------------------- the holder gate

    /** The network's index, entered for the request's holder and its bare MAC ({@link NetworkIndex#enter}). */
    private NetworkIndex enter(String network, AllocationRequest req) {
        HolderKey holder = req.holder();
        return registry.enter(network, holder, machine(holder, req));
    }

    private static void leave(NetworkIndex idx, AllocationRequest req) {
        HolderKey holder = req.holder();
        idx.leave(holder, machine(holder, req));
    }

    /** The request's bare MAC as a holder: the holder itself when it has no client-id (no second key made per request). */
    private static HolderKey machine(HolderKey holder, AllocationRequest req) {
        return req.clientId() == null ? holder : HolderKey.of(null, req.mac());
    }
}
