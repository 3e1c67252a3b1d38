package dev.vmaddr.importing;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.ImportOutcome;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.Reservation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what the parsers read to one network of the running server: host entries become
 * reservations (one edit of the network: {@link NetworkCatalog#importReservations}), then leases
 * become bound leases (one store write: {@link AllocationEngine#importLeases}), so the DHCP server
 * answers the imported clients' renewals at once. Reservations go first because a lease on a
 * reserved address outside the pools is valid only once the reservation is there. A dry run asks
 * both the same questions and writes nothing.
 */
public final class ImportService {
    private static final Logger log = LoggerFactory.getLogger(ImportService.class);

    private final NetworkCatalog catalog;
    private final AllocationEngine engine;

    public ImportService(NetworkCatalog catalog, AllocationEngine engine) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    public ImportReport apply(String network, List<ImportedHost> hosts, List<ImportedLease> leases, boolean dryRun) {
        List<Reservation> reservations = hosts.stream().map(ImportedHost::reservation).toList();
        ImportOutcome r = reservations.isEmpty() ? ImportOutcome.NOTHING
                : catalog.importReservations(network, reservations, dryRun);
        Map<Ipv4Address, Reservation> reserving = accepted(reservations, r);
        List<Lease> asLeases = new ArrayList<>(leases.size());
        Instant placeholder = Instant.EPOCH; // updatedAt: the engine writes its own now
        for (ImportedLease l : leases) {
            asLeases.add(new Lease(network, l.ip(), l.mac(), l.clientId(), l.hostname(), LeaseState.BOUND, l.expiresAt(),
                    placeholder));
        }
        ImportOutcome total = r.plus(engine.importLeases(network, asLeases, reserving, dryRun));
        log.info(LogEvents.IMPORT_DONE + " network={} dryRun={} hosts={} leases={} imported={} unchanged={} conflicts={}",
                network, dryRun, hosts.size(), leases.size(), total.imported(), total.unchanged(), total.conflicts().size());
        return new ImportReport(dryRun, total.imported(), total.unchanged(), total.conflicts());
    }

    /** The reservations the network has (or, in a dry run, would have) after the import: all but the conflicts. */
    private static Map<Ipv4Address, Reservation> accepted(List<Reservation> given, ImportOutcome outcome) {
        Set<String> refused = new HashSet<>();
        for (ImportOutcome.Conflict c : outcome.conflicts()) {
            refused.add(c.ip() + "/" + c.mac());
        }
        Map<Ipv4Address, Reservation> out = new HashMap<>();
        for (Reservation res : given) {
            if (!refused.contains(res.ip() + "/" + res.mac())) {
                out.putIfAbsent(res.ip(), res);
            }
        }
        return out;
    }
}
