package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.ipam.NetworkIndex.Claim;
import dev.vmaddr.ipam.NetworkIndex.ClaimKind;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.Store;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Addresses blocked though no client was given them: a conflict probe's find and a guest's squat
 * (issue 20 item 4), both quarantine records written under the network's lock. Behind
 * {@link AllocationEngine}'s facade ({@code markConflict}, {@code markSquatted}).
 */
final class AddressBlocks {
    private static final Logger LOG = LoggerFactory.getLogger(AddressBlocks.class);
    /** The MAC of a block that belongs to no client (its record must not look like anyone's lease). */
    static final MacAddress UNKNOWN_MAC = new MacAddress(0);

    private final NetworkRegistry registry;
    private final Store store;
    private final Clock clock;
    private final LeaseWrites writes;

    AddressBlocks(NetworkRegistry registry, Store store, Clock clock, LeaseWrites writes) {
        this.registry = registry;
        this.store = store;
        this.clock = clock;
        this.writes = writes;
    }

    /** A conflict probe (ARP/ping) found {@code ip} in use: quarantined, never offered meanwhile. */
    Lease markConflict(String network, Ipv4Address ip, String evidence) {
        NetworkIndex idx = registry.index(network);
        idx.lock();
        try {
            idx.requireLive();
            if (!idx.spec().cidr().contains(ip)) {
                throw new AllocationException(Reason.NOT_IN_NETWORK, ip + " is not in network " + network);
            }
            // a bind in flight on this address settles first, so our record is not overwritten by it
            Claim c;
            while ((c = idx.liveClaim(ip, clock.instant())) != null && c.kind() == ClaimKind.PENDING) {
                idx.awaitChange();
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
            return writes.writeQuarantine(idx, basis, now, evidence);
        } finally {
            idx.unlock();
        }
    }

    /**
     * A guest uses {@code ip} though it is not its NIC's address (issue 20 item 4, harvester#5452: a
     * static address set in the guest): the address is blocked like a conflict probe's find, a
     * quarantine record under no client's MAC (so the squatter's own lease records stay as they
     * are), so it is never offered while the guest keeps it. Each report of the squat extends the
     * block once half of it has run. Returns false, writing nothing, when the address is not a pool
     * address of the network, or another client holds or is being given it: two machines on one
     * address is a conflict for the operator (drift {@code ip-mismatch}, doctor), not a reason to take
     * the holder's lease away.
     */
    boolean markSquatted(String network, Ipv4Address ip, MacAddress squatter, String evidence) {
        NetworkIndex idx = registry.index(network);
        idx.lock();
        try {
            idx.requireLive();
            if (idx.refusal(AllocationRequest.of(UNKNOWN_MAC), ip) != null) {
                return false; // outside the pools, reserved, gateway: never offered anyway
            }
            Instant now = clock.instant();
            Claim c = idx.liveClaim(ip, now);
            if (c != null) {
                return false; // being offered or bound to a client right now
            }
            Lease l = store.leases().get(network, ip).orElse(null);
            if (l != null && l.occupiesAt(now)) {
                boolean ours = l.state() == LeaseState.DECLINED && l.mac().equals(UNKNOWN_MAC);
                if (!ours || l.expiresAt().isAfter(now.plus(writes.quarantine().dividedBy(2)))) {
                    return ours; // held by a client; or blocked already, for long enough
                }
            }
            Lease basis = new Lease(network, ip, UNKNOWN_MAC, null, squatterName(squatter), LeaseState.DECLINED, now, now);
            writes.writeQuarantine(idx, basis, now, evidence);
            LOG.warn(LogEvents.LEASE_SQUATTED + " network={} ip={} mac={} evidence=\"{}\"", network, ip, squatter, evidence);
            return true;
        } catch (AllocationException e) {
            if (e.reason() == Reason.STORE_UNAVAILABLE) {
                throw e;
            }
            return false; // taken meanwhile (another server)
        } finally {
            idx.unlock();
        }
    }

    /** The hostname a squat's block carries, so a lease list shows whose it is: {@code squatter-020000aabbcc}. */
    static String squatterName(MacAddress mac) {
        return "squatter-" + mac.toString().replace(":", "");
    }
}
