package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.index.ExpiryQueue;
import dev.vmaddr.index.FreeBitmap;
import dev.vmaddr.index.Segments;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The allocation engine's in-memory indexes for one network. It holds no lease records (the store
 * does), only what makes choices fast and safe:
 * <ul>
 *   <li>{@link #free}: one bit per pool address, set while the address may be handed out. Gateway,
 *       network, broadcast, excluded and reserved addresses are never set.</li>
 *   <li>{@link #claims}: addresses promised but not (yet) in the store — offers (memory only, held
 *       for a short time) and pending writes (a bind or allocation whose store write is in flight).</li>
 *   <li>{@link #expiries}: when occupied addresses come due, as packed longs.</li>
 *   <li>{@link #busyHolders}: holders with an operation in progress, so one holder's requests run
 *       one at a time and a holder never ends up with two addresses by racing itself.</li>
 * </ul>
 * Everything here is guarded by {@link #lock}; {@link #changed} is signalled when a holder or a
 * pending claim goes away.
 */
final class NetworkIndex {
    enum ClaimKind { OFFER, PENDING }

    /** An address promised in memory. {@code expiresAt} matters for offers only. */
    record Claim(ClaimKind kind, HolderKey holder, Ipv4Address ip, dev.vmaddr.addr.MacAddress mac, ClientId clientId,
                 String hostname, Instant expiresAt) {
        boolean liveAt(Instant now) {
            return kind == ClaimKind.PENDING || expiresAt.isAfter(now);
        }
    }

    final NetworkSpec spec;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final Segments pools;
    final FreeBitmap free;
    final long dynamicSize;
    final Map<Integer, Claim> claims = new HashMap<>();
    final Map<HolderKey, Ipv4Address> offerByHolder = new HashMap<>();
    final ExpiryQueue expiries = new ExpiryQueue();
    final Set<HolderKey> busyHolders = new HashSet<>();
    /**
     * The BOUND leases held by a client-id, by their MAC, as this engine wrote or loaded them (a hint:
     * readers check the store). With the store's holder index, which finds a lease held by the bare
     * MAC, this finds the one bound lease a MAC has whatever client-id it was bound with. Leases
     * without a client-id (most clients, every API and VM NIC allocation) are not in it.
     */
    final Map<MacAddress, Ipv4Address> boundByIdMac = new HashMap<>();
    private final Map<Ipv4Address, Reservation> reservationByIp = new HashMap<>();
    private final long base;
    boolean retired;
    /** When the free bits were last set again from the store (AllocationEngine, before a refusal); null: never. */
    Instant lastResync;

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
                fixed++;
            }
        }
        for (Ipv4Range e : spec.exclude()) {
            for (long v = e.first().unsigned(); v <= e.last().unsigned(); v++) {
                long pos = pools.positionOf(v);
                if (pos >= 0 && free.setTaken(pos)) {
                    fixed++;
                }
            }
        }
        dynamicSize = pools.size() - fixed;
    }

    String name() {
        return spec.name();
    }

    Reservation reservationFor(AllocationRequest req) {
        for (Reservation r : spec.reservations()) {
            if (r.matches(req.mac(), req.clientId())) {
                return r;
            }
        }
        return null;
    }

    boolean excluded(Ipv4Address ip) {
        for (Ipv4Range e : spec.exclude()) {
            if (e.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    /** A pool address that may go to anyone (not gateway, network, broadcast, excluded or reserved). */
    boolean isDynamic(Ipv4Address ip) {
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
            free.setTaken(pools.positionOf(ip.unsigned()));
        }
    }

    void markFree(Ipv4Address ip) {
        if (isDynamic(ip)) {
            free.setFree(pools.positionOf(ip.unsigned()));
        }
    }

    /** Marks a dynamic {@code ip} free; true when it was taken. */
    boolean freeIfTaken(Ipv4Address ip) {
        return isDynamic(ip) && free.setFree(pools.positionOf(ip.unsigned()));
    }

    Ipv4Address addressAt(long pos) {
        return new Ipv4Address((int) pools.valueAt(pos));
    }

    void addExpiry(Ipv4Address ip, Instant at) {
        long second = at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0);
        expiries.add(second, ip.unsigned() - base);
    }

    Ipv4Address slotAddress(long slot) {
        return new Ipv4Address((int) (base + slot));
    }

    void noteBound(Lease l) {
        if (l.clientId() != null) {
            boundByIdMac.put(l.mac(), l.ip());
        }
    }

    /** {@code l} is bound no longer (released, expired, declined). */
    void noteGone(Lease l) {
        if (l.clientId() != null) {
            boundByIdMac.remove(l.mac(), l.ip());
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
