package dev.vmaddr.store;

import dev.vmaddr.model.Lease6;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * DHCPv6 leases in the system of record, one per network and address. {@code ipam.Ipv6Leases} owns
 * them in memory and decides; the store makes them durable and, when several servers share it,
 * refuses a write that would give an address another server's client holds (so that no address is
 * ever held twice, whichever server answers). Every write is durable on return.
 *
 * <p>Back ends: {@link DocumentLease6Store} (documents of kind {@code lease6}: the embedded and memory
 * stores, one server each, where the in-memory owner's lock already decides) and
 * {@code store.postgresql.PgLease6Store} (table {@code lease6}, conditional upsert).
 */
public interface Lease6Store {
    /**
     * Writes {@code lease} unless its address is held at {@code now} by another client (DUID + IAID)
     * than the lease's. Returns empty when written, else the stored lease that holds the address
     * (nothing written).
     */
    Optional<Lease6> putUnlessHeld(Lease6 lease, Instant now);

    /**
     * Expiry: writes {@code expired} (the same client's lease in state expired) only when the stored
     * lease of its address is still that client's, bound, and run out at {@code now}. Returns empty
     * when written, else the stored lease as it is now (renewed or taken meanwhile by another server).
     */
    Optional<Lease6> expireIfRunOut(Lease6 expired, Instant now);

    /** Every stored lease. */
    List<Lease6> list();

    /**
     * Leases written by other servers sharing the store since the last call (each call moves on);
     * always empty for a store only this server uses.
     */
    default List<Lease6> othersChanges() {
        return List.of();
    }
}
