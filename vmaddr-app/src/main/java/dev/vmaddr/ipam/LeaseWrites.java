package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.ipam.NetworkIndex.Claim;
import dev.vmaddr.ipam.NetworkIndex.ClaimKind;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's store writes, each with the index change that goes with it. Every method is called
 * with the network's lock held (and returns with it held).
 *
 * <p><b>A grant's write.</b> {@link #writeBound} is decided under the lock and recorded as a pending
 * claim, the lock is released for the durable store write (so concurrent writers share the store's
 * group commit), then retaken to settle: the address is visible as granted only after the store
 * acknowledged it. A store conflict (another server took the address) marks it taken; the caller
 * tries another candidate.
 */
final class LeaseWrites {
    // logs under the engine's name, as before the engine was split: operators filter on it
    private static final Logger LOG = LoggerFactory.getLogger(AllocationEngine.class);

    private final Store store;
    private final Clock clock;
    private final Duration quarantine;
    private final BoundListener boundListener;

    /**
     * Told of every BOUND lease stored, on the writer's thread with the network's lock held (the
     * DHCP hot path): quick, allocation-free, and never calling back into the engine.
     */
    @FunctionalInterface
    interface BoundListener {
        void bound(String network, Instant at);
    }

    LeaseWrites(Store store, Clock clock, Duration quarantine, BoundListener boundListener) {
        this.store = store;
        this.clock = clock;
        this.quarantine = quarantine;
        this.boundListener = boundListener;
    }

    /**
     * Writes a BOUND lease for the holder: pending claim under the lock, store write without it,
     * settle under it again. Returns null when the store reports another holder (the address is
     * then marked taken in the index).
     *
     * @param renewal the holder already held {@code ip}: logged as {@code lease.renewed} rather than {@code lease.bound}
     */
    Lease writeBound(NetworkIndex idx, AllocationRequest req, Ipv4Address ip, Instant now, boolean renewal) {
        HolderKey holder = req.holder();
        Duration leaseTime = req.leaseTime() != null ? req.leaseTime() : idx.spec().leaseTime();
        Lease lease = new Lease(idx.name(), ip, req.mac(), req.clientId(), req.hostname(), LeaseState.BOUND,
                now.plus(leaseTime), now);
        Claim before = idx.claimPending(new Claim(ClaimKind.PENDING, holder, ip, req.mac(), req.clientId(),
                req.hostname(), now));
        WriteResult result;
        idx.unlock();
        try {
            result = store.leases().put(lease, now);
        } catch (StoreException e) {
            idx.lock();
            settle(idx, ip, before);
            throw new AllocationException(Reason.STORE_UNAVAILABLE, "cannot store lease of " + ip + " in " + idx.name(), e);
        }
        idx.lock();
        idx.endPending(ip);
        if (!result.applied()) {
            if (result.current().ip().equals(ip)) {
                idx.addExpiry(ip, result.current().expiresAt());
            } else {
                // a store shared by several servers refused because the holder, or its MAC under another
                // client-id, has a bound lease elsewhere (written by another server moments ago): this
                // address is not taken, the caller retries with the one the holder has, or takes the
                // MAC's over (the hint below is how the candidates find it)
                settle(idx, ip, before);
                if (result.current().mac().equals(req.mac()) && result.current().state() == LeaseState.BOUND) {
                    idx.noteBound(result.current());
                }
            }
            LOG.warn(LogEvents.LEASE_STORE_CONFLICT + " network={} ip={} holder={} current={}", idx.name(), ip, holder,
                    result.current().holder());
            return null;
        }
        idx.dropOffer(holder);
        idx.addExpiry(ip, lease.expiresAt());
        idx.noteBound(lease);
        boundListener.bound(idx.name(), now);
        LOG.info("{} network={} ip={} mac={} holder={} expiresAt={}", renewal ? LogEvents.LEASE_RENEWED : LogEvents.LEASE_BOUND, idx.name(),
                ip, req.mac(), holder, lease.expiresAt());
        return lease;
    }

    /** After a failed write: put back the claim that was there (an offer of this holder) or free the address. */
    private void settle(NetworkIndex idx, Ipv4Address ip, Claim before) {
        idx.settle(ip, before, clock.instant(), () -> {
            Lease l = store.leases().get(idx.name(), ip).orElse(null);
            return l != null && l.occupiesAt(clock.instant());
        });
    }

    /** Writes a released/expired record (under the lock: rare, and must not race a rebind) and frees the bit. */
    Lease writeFreed(NetworkIndex idx, Lease l, LeaseState state, Instant now) {
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
        // into the reuse cooldown at this time; an offer or bind in flight on it keeps it taken
        idx.markFreed(l.ip(), now, idx.liveClaim(l.ip(), now) != null);
        LOG.info("{} network={} ip={} mac={}", LogEvents.lease(state), idx.name(), l.ip(), l.mac());
        return freed;
    }

    /** How long a declined, conflicting or squatted address stays blocked. */
    Duration quarantine() {
        return quarantine;
    }

    /** Writes a DECLINED record until the quarantine ends; the address stays taken meanwhile. */
    Lease writeQuarantine(NetworkIndex idx, Lease basis, Instant now, String evidence) {
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
}
