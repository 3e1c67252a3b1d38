package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.ipam.NetworkIndex.Claim;
import dev.vmaddr.ipam.NetworkIndex.ClaimKind;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a candidate address comes from and whether it may be granted: the engine's checks. A
 * candidate comes from the client's reservation, its offer, its current or previous lease, its
 * requested address, or the free index (never-used addresses as the {@link Allocator} proposes them,
 * then used ones longest free first: the reuse cooldown, {@link NetworkIndex#searchFree}); each is checked against
 * the rules (reservations, exclusions, gateway, network and broadcast, leases of others, in-flight
 * offers) before it is returned. Called with the network's lock held.
 */
final class Candidates {
    // logs under the engine's name, as before the engine was split: operators filter on it
    private static final Logger LOG = LoggerFactory.getLogger(AllocationEngine.class);
    /** A full pass over a network's addresses before a refusal runs at most this often per network. */
    static final Duration RESYNC_EVERY = Duration.ofSeconds(1);

    private final Store store;
    private final Clock clock;
    private final Allocator allocator;
    /** {@link Store#sharingServerNumber()}: -1 when this server is the store's only user. */
    private final int sharingServer;

    Candidates(Store store, Clock clock, Allocator allocator) {
        this.store = store;
        this.clock = clock;
        this.allocator = allocator;
        this.sharingServer = store.sharingServerNumber();
    }

    /** The address to offer (or, without a requested one, to allocate): the first candidate that is available. */
    Ipv4Address choose(NetworkIndex idx, AllocationRequest req, Instant now) {
        HolderKey holder = req.holder();
        Reservation r = idx.reservationFor(req);
        if (r != null && available(idx, req, r.ip(), now)) {
            return r.ip();
        }
        Ipv4Address offered = idx.offeredTo(holder);
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
        if (req.requestedIp() != null && available(idx, req, req.requestedIp(), now)
                && notAnothersFormer(idx, req, req.requestedIp())) {
            return req.requestedIp();
        }
        if (mine != null && mine.state() != LeaseState.DECLINED && available(idx, req, mine.ip(), now)) {
            return mine.ip(); // sticky: the address this client had before
        }
        return fromFreeIndex(idx, req, now);
    }

    /**
     * Whether a requested address (a DISCOVER's hint) is free of the reuse cooldown for this client:
     * never used, or last used by this client (its holder or its MAC). Another client's former
     * address is not handed over on a hint; the free index gives it out in its turn.
     */
    private boolean notAnothersFormer(NetworkIndex idx, AllocationRequest req, Ipv4Address ip) {
        Lease l = store.leases().get(idx.name(), ip).orElse(null);
        return l == null || l.holder().equals(req.holder()) || l.mac().equals(req.mac());
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
    String takenBy(NetworkIndex idx, AllocationRequest req, Ipv4Address ip, Instant now) {
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
    Lease boundToSameMac(NetworkIndex idx, AllocationRequest req, Instant now) {
        // Only a client-id holder has a bare-MAC twin (without one, the holder is its MAC): no keys
        // are made for the common case, this runs twice per grant.
        if (req.clientId() != null) {
            HolderKey bareMac = HolderKey.of(null, req.mac());
            Lease l = store.leases().findByHolder(idx.name(), bareMac).orElse(null);
            if (l != null && l.state() == LeaseState.BOUND && l.occupiesAt(now)) {
                return l;
            }
        }
        Ipv4Address ip = idx.boundByIdMac(req.mac());
        if (ip == null) {
            return null;
        }
        Lease l = store.leases().get(idx.name(), ip).orElse(null);
        if (l == null || l.clientId() == null || l.state() != LeaseState.BOUND || !l.occupiesAt(now)
                || !l.mac().equals(req.mac())) {
            idx.forgetBoundByIdMac(req.mac(), ip);
            return null;
        }
        return l.holder().equals(req.holder()) ? null : l;
    }

    /**
     * A free pool address from the index: the {@link Allocator} proposes, each candidate is checked
     * against the claims and the store; a stale one (taken behind our back, by another server) is
     * marked taken and the next is asked for. No fixed limit on those: each one corrects its bit for
     * good, so the loop ends with a free address or an empty index, and an address the store has free
     * is never refused. (A limit of 16 refused allocations with 802 of 2,033 bits set, most of them
     * taken by the other server: issue 15 item 3.)
     */
    private Ipv4Address fromFreeIndex(NetworkIndex idx, AllocationRequest req, Instant now) {
        Allocator.Search search = idx.searchFree(allocator);
        // each round corrects one bit for good: taken, or moved from never-used to freed (at most once each)
        for (long bound = 2 * idx.freeCount() + 1; bound >= 0 && idx.freeCount() > 0; bound--) {
            long pos = search.next();
            if (pos < 0) {
                break;
            }
            Ipv4Address ip = idx.addressAt(pos);
            Claim c = idx.liveClaim(ip, now);
            Lease l = store.leases().get(idx.name(), ip).orElse(null);
            if (c == null && (l == null || !l.occupiesAt(now))) {
                if (l != null && idx.freedLaterThanKnown(ip, l.expiresAt())) {
                    // used since this index last heard of it (another server sharing the store): it
                    // takes its place in the cooldown's order instead of passing for never used
                    idx.markFreed(ip, l.expiresAt(), false);
                    continue;
                }
                return ip;
            }
            idx.markTaken(ip);
            if (l != null && l.occupiesAt(now)) {
                idx.addExpiry(ip, l.expiresAt());
            }
        }
        throw new AllocationException(Reason.EXHAUSTED, "no free address in network " + idx.name()
                + " (" + idx.freeCount() + " of " + idx.dynamicSize() + " free)");
    }

    /** Whether {@link #resynced} may turn refusal {@code e} into a grant: want of addresses, on a shared store. */
    boolean resyncMayHelp(AllocationException e) {
        return e.reason() == Reason.EXHAUSTED && sharingServer >= 0;
    }

    /**
     * Before a refusal for want of addresses, on a store that several servers share: reads their
     * writes of the last moments ({@link Store#refreshShared}) and sets the network's free bits from
     * the store again, address by address: those another server took are marked, those it released
     * or let expire are free again (this index learns of those only when their old expiry comes
     * due). Returns true when it did, so the caller tries once more and refuses only when the store
     * agrees the network is full. At most once per {@link #RESYNC_EVERY} per network: a pass costs a
     * store lookup per address, and a truly full network would otherwise pay it for every request.
     * Called without the network's lock, and only when {@link #resyncMayHelp} said so.
     */
    boolean resynced(NetworkIndex idx) {
        idx.lock();
        try {
            if (!idx.resyncDue(clock.instant(), RESYNC_EVERY)) {
                return false;
            }
        } finally {
            idx.unlock();
        }
        try {
            store.refreshShared();
        } catch (StoreException se) {
            LOG.warn(LogEvents.ALLOCATION_RESYNC_FAILED + " network={} error=\"{}\"", idx.name(), se.getMessage());
            return false;
        }
        idx.lock();
        try {
            idx.requireLive();
            long before = idx.freeCount();
            Instant at = clock.instant();
            idx.resetFree(at, ip -> store.leases().get(idx.name(), ip).orElse(null));
            LOG.info(LogEvents.ALLOCATION_RESYNCED + " network={} free_before={} free_after={}", idx.name(), before,
                    idx.freeCount());
            return true;
        } finally {
            idx.unlock();
        }
    }
}
