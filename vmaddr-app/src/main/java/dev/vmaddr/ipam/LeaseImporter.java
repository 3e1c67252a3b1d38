package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.NetworkIndex.Claim;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bound leases taken over from another DHCP server (vmaddr import), written as one unit.
 *
 * <p><b>Why the network's lock is held throughout.</b> Each imported lease is checked the way a
 * grant is (the network's rules, other clients' offers, pending writes and leases, the holder's
 * other address), then all that pass are written with ONE {@link dev.vmaddr.store.LeaseStore#putAll}
 * and put into the index. Keeping the lock from the first check to the last index change makes the
 * import atomic against this server's DHCP on that network: no offer can slip in between a check
 * and the write. DHCP on the network waits for that once (the embedded store: about a second per
 * million leases; PostgreSQL: the transaction's time, longer); on other networks it goes on. The
 * store still refuses an address another server took meanwhile (a conflict). Not closed: a client
 * whose own DHCPREQUEST to this server is being written at that moment for another address than
 * its imported one may end with both (the holder gate is per client; an import would have to
 * enter it for every client it names).
 *
 * <p><b>Idempotent.</b> A lease whose holder already holds the address in vmaddr until at least the
 * imported end is unchanged, so a second identical import writes nothing. A dry run stops before
 * the write and reports the same counts.
 */
final class LeaseImporter {
    private static final Logger LOG = LoggerFactory.getLogger(AllocationEngine.class);

    private final NetworkRegistry registry;
    private final Store store;
    private final Clock clock;

    LeaseImporter(NetworkRegistry registry, Store store, Clock clock) {
        this.registry = registry;
        this.store = store;
        this.clock = clock;
    }

    /**
     * @param reserving reservations of the same import, by address: in a dry run they are not in the
     *                  network yet, so a lease on such an address is judged as if they were (the real
     *                  run writes them first), and the dry run answers what the real run does
     */
    ImportOutcome importLeases(String network, List<Lease> leases, Map<Ipv4Address, Reservation> reserving, boolean dryRun) {
        NetworkIndex idx = registry.index(network);
        idx.lock();
        try {
            idx.requireLive();
            Instant now = clock.instant();
            List<ImportOutcome.Conflict> conflicts = new ArrayList<>();
            List<Lease> toWrite = new ArrayList<>();
            int unchanged = 0;
            Set<Ipv4Address> ips = new HashSet<>(leases.size() * 2);
            Set<HolderKey> holders = new HashSet<>(leases.size() * 2);
            for (Lease given : leases) {
                Lease l = new Lease(network, given.ip(), given.mac(), given.clientId(), given.hostname(), LeaseState.BOUND,
                        given.expiresAt(), now);
                String why = refusal(idx, l, now, ips, holders, reserving.get(l.ip()));
                if (why == null) {
                    Lease current = store.leases().get(network, l.ip()).orElse(null);
                    if (current != null && current.state() == LeaseState.BOUND && current.holder().equals(l.holder())
                            && !current.expiresAt().isBefore(l.expiresAt())) {
                        unchanged++;
                        continue;
                    }
                    toWrite.add(l);
                } else {
                    conflicts.add(new ImportOutcome.Conflict(l.ip(), l.mac(), why));
                }
            }
            if (dryRun || toWrite.isEmpty()) {
                return new ImportOutcome(toWrite.size(), unchanged, conflicts);
            }
            List<WriteResult> results;
            try {
                results = store.leases().putAll(toWrite, now);
            } catch (StoreException e) {
                throw new AllocationException(AllocationException.Reason.STORE_UNAVAILABLE,
                        "cannot store the " + toWrite.size() + " imported leases of " + network + ": " + e.getMessage(), e);
            }
            int imported = 0;
            for (int i = 0; i < results.size(); i++) {
                Lease l = toWrite.get(i);
                WriteResult r = results.get(i);
                if (r.applied()) {
                    idx.dropOffer(l.holder());
                    idx.markTaken(l.ip());
                    idx.addExpiry(l.ip(), l.expiresAt());
                    idx.noteBound(l);
                    imported++;
                } else {
                    conflicts.add(new ImportOutcome.Conflict(l.ip(), l.mac(), "held by " + r.current().holder()
                            + " (written by another server meanwhile)"));
                }
            }
            LOG.info(LogEvents.LEASE_IMPORTED + " network={} imported={} unchanged={} conflicts={}", network, imported,
                    unchanged, conflicts.size());
            return new ImportOutcome(imported, unchanged, conflicts);
        } finally {
            idx.unlock();
        }
    }

    /** Why {@code l} may not be imported, or null. Records each address and holder seen, so a second one in the same import is refused. */
    private String refusal(NetworkIndex idx, Lease l, Instant now, Set<Ipv4Address> ips, Set<HolderKey> holders,
                           Reservation reserved) {
        if (!l.expiresAt().isAfter(now)) {
            return "the lease ran out at " + l.expiresAt();
        }
        AllocationException rule = idx.refusal(new AllocationRequest(l.mac(), l.clientId(), l.ip(), l.hostname(), null), l.ip());
        if (reserved != null && rule != null && rule.reason() == AllocationException.Reason.NOT_ALLOWED
                && !idx.spec().cidr().isNetworkOrBroadcast(l.ip()) && !l.ip().equals(idx.spec().gateway())) {
            // outside the pools or excluded, but reserved by this import: what the index says once it has the reservation
            rule = null;
        }
        if (reserved != null && !reserved.matches(l.mac(), l.clientId()) && rule == null) {
            return l.ip() + " is reserved for another client in " + idx.name();
        }
        if (rule != null) {
            return rule.getMessage();
        }
        if (!ips.add(l.ip())) {
            return "the import names " + l.ip() + " twice";
        }
        if (!holders.add(l.holder())) {
            return l.holder() + " has another address in the import";
        }
        Claim c = idx.liveClaim(l.ip(), now);
        if (c != null && !c.holder().equals(l.holder())) {
            return "offered to " + c.holder() + " in vmaddr";
        }
        Lease current = store.leases().get(idx.name(), l.ip()).orElse(null);
        if (current != null && current.occupiesAt(now)) {
            if (current.state() == LeaseState.DECLINED) {
                return "quarantined in vmaddr until " + current.expiresAt();
            }
            if (!current.holder().equals(l.holder())) {
                return "held by " + current.holder() + " (mac " + current.mac() + ") in vmaddr";
            }
        }
        Lease elsewhere = store.leases().findByHolder(idx.name(), l.holder()).orElse(null);
        if (elsewhere != null && !elsewhere.ip().equals(l.ip()) && elsewhere.state() == LeaseState.BOUND
                && elsewhere.occupiesAt(now)) {
            return l.holder() + " holds " + elsewhere.ip() + " in vmaddr";
        }
        if (l.clientId() != null) {
            Lease bare = store.leases().findByHolder(idx.name(), HolderKey.of(null, l.mac())).orElse(null);
            if (bare != null && !bare.ip().equals(l.ip()) && bare.state() == LeaseState.BOUND && bare.occupiesAt(now)) {
                return "mac " + l.mac() + " holds " + bare.ip() + " in vmaddr";
            }
        }
        return null;
    }
}
