package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.NetworkIndex.Claim;
import dev.vmaddr.ipam.NetworkIndex.ClaimKind;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Leases as clients see them: the store's records, with the offers in flight (memory only) shown
 * as OFFERED leases. Reads only; each takes the network's lock just to read the claims.
 */
final class LeaseQueries {
    private final NetworkRegistry registry;
    private final Store store;
    private final Clock clock;
    private final Candidates candidates;

    LeaseQueries(NetworkRegistry registry, Store store, Clock clock, Candidates candidates) {
        this.registry = registry;
        this.store = store;
        this.clock = clock;
        this.candidates = candidates;
    }

    /** The holder's offer in flight, else its most recent lease in the store (any state). */
    Optional<Lease> leaseOf(String network, HolderKey holder) {
        NetworkIndex idx = registry.index(network);
        idx.lock();
        try {
            Ipv4Address offered = idx.offeredTo(holder);
            if (offered != null) {
                Claim c = idx.liveClaim(offered, clock.instant());
                if (c != null && c.kind() == ClaimKind.OFFER) {
                    return Optional.of(offerLease(network, c));
                }
            }
        } finally {
            idx.unlock();
        }
        return store.leases().findByHolder(network, holder);
    }

    /** See {@link AllocationEngine#clientLease}. */
    Optional<Lease> clientLease(String network, AllocationRequest req) {
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
        NetworkIndex idx = registry.index(network);
        idx.lock();
        try {
            Lease sameMac = candidates.boundToSameMac(idx, req, clock.instant());
            return sameMac != null ? Optional.of(sameMac) : own;
        } finally {
            idx.unlock();
        }
    }

    /** See {@link AllocationEngine#knows}. */
    boolean knows(String network, MacAddress mac, ClientId clientId) {
        NetworkIndex idx = registry.index(network);
        for (Reservation r : idx.spec().reservations()) {
            if (r.matches(mac, clientId)) {
                return true;
            }
        }
        idx.lock();
        try {
            if (idx.boundByIdMac(mac) != null) {
                return true; // bound under a client-id not this one (a CNI holder, the OS after the firmware)
            }
        } finally {
            idx.unlock();
        }
        HolderKey bareMac = HolderKey.of(null, mac);
        return store.leases().findByHolder(network, bareMac).isPresent()
                || clientId != null && store.leases().findByHolder(network, HolderKey.of(clientId, mac)).isPresent();
    }

    Optional<Lease> lease(String network, Ipv4Address ip) {
        NetworkIndex idx = registry.index(network);
        idx.lock();
        try {
            Claim c = idx.liveClaim(ip, clock.instant());
            if (c != null && c.kind() == ClaimKind.OFFER) {
                return Optional.of(offerLease(network, c));
            }
        } finally {
            idx.unlock();
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
    List<Lease> leases(String network, Ipv4Address after, int limit, Predicate<Lease> filter) {
        Objects.requireNonNull(filter, "filter");
        NetworkIndex idx = registry.index(network);
        TreeMap<Ipv4Address, Lease> offers = new TreeMap<>();
        idx.lock();
        try {
            Instant now = clock.instant();
            for (Claim c : idx.liveOffers(now, after)) {
                offers.put(c.ip(), offerLease(network, c));
            }
        } finally {
            idx.unlock();
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

    PoolStats stats(String network) {
        NetworkIndex idx = registry.index(network);
        idx.lock();
        try {
            return idx.stats();
        } finally {
            idx.unlock();
        }
    }

    /** An offer in flight as the OFFERED lease a client sees. */
    Lease offerLease(String network, Claim c) {
        return new Lease(network, c.ip(), c.mac(), c.clientId(), c.hostname(), LeaseState.OFFERED, c.expiresAt(),
                clock.instant());
    }
}
