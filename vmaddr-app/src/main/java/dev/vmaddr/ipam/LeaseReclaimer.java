package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.NetworkIndex.Claim;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.Store;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expiry reclaim, network by network under its lock: expires bound leases past their end (durably),
 * drops offers past their hold and frees quarantined addresses past their quarantine. The index's
 * expiry queue says what comes due; the store says what is there now, so a lease renewed or removed
 * meanwhile (by this engine or by another server sharing the store) is handled as it is.
 */
final class LeaseReclaimer {
    // logs under the engine's name, as before the engine was split: operators filter on it
    private static final Logger LOG = LoggerFactory.getLogger(AllocationEngine.class);

    private final NetworkRegistry registry;
    private final Store store;
    private final Clock clock;
    private final LeaseWrites writes;

    LeaseReclaimer(NetworkRegistry registry, Store store, Clock clock, LeaseWrites writes) {
        this.registry = registry;
        this.store = store;
        this.clock = clock;
        this.writes = writes;
    }

    /** Returns how many addresses became free. */
    int reclaimExpired() {
        int freed = 0;
        for (NetworkIndex idx : registry.indexes()) {
            idx.lock();
            try {
                if (!idx.retired()) {
                    freed += reclaim(idx, clock.instant());
                }
            } finally {
                idx.unlock();
            }
        }
        return freed;
    }

    private int reclaim(NetworkIndex idx, Instant now) {
        int freed = 0;
        for (Claim c : idx.claims()) {
            if (!c.liveAt(now)) {
                idx.liveClaim(c.ip(), now); // drops it
                Lease l = store.leases().get(idx.name(), c.ip()).orElse(null);
                if (l == null || !l.occupiesAt(now)) {
                    idx.markFree(c.ip());
                    freed++;
                }
            }
        }
        Ipv4Address ip;
        while ((ip = idx.pollDue(now)) != null) {
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
                    if (writes.writeFreed(idx, l, LeaseState.EXPIRED, now) != null) {
                        freed++;
                    }
                } catch (AllocationException e) {
                    idx.addExpiry(ip, now); // try again next round
                    LOG.warn(LogEvents.LEASE_EXPIRE_FAILED + " network={} ip={} error=\"{}\"", idx.name(), ip, e.getMessage());
                    break;
                }
            } else if (l.state() == LeaseState.DECLINED) {
                idx.markFreed(ip, l.expiresAt(), false); // someone used it: it joins the cooldown at the quarantine's end
                freed++;
                LOG.info(LogEvents.LEASE_QUARANTINE_OVER + " network={} ip={}", idx.name(), ip);
            } else if (idx.markFreed(ip, l.expiresAt(), false)) {
                freed++; // released or expired by another server sharing the store: ours to offer again
            }
        }
        return freed;
    }
}
