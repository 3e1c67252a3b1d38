package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.HolderKey;
import dev.vmaddr.ipam.Lease;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Leases, at most one record per (network, ip). The store itself enforces that no address is held
 * by two clients: {@link #put} refuses to overwrite a lease of another holder that still occupies
 * the address, so several servers sharing one store cannot hand one address out twice.
 */
public interface LeaseStore {
    /**
     * Writes {@code lease} unless the address is occupied at {@code now} by a different holder
     * ({@link Lease#occupiesAt}, {@link Lease#holder}). Durable on return when applied.
     *
     * @throws StoreException when the write cannot be made durable (nothing is written then)
     */
    WriteResult put(Lease lease, Instant now);

    /**
     * Removes the record of an address entirely (used when a network is deleted or an address
     * leaves every pool). Durable on return. Returns false when there was none.
     */
    boolean remove(String network, Ipv4Address ip);

    Optional<Lease> get(String network, Ipv4Address ip);

    /** The most recently written lease of this holder in this network, in any state. */
    Optional<Lease> findByHolder(String network, HolderKey holder);

    /** Every lease of the network, ordered by IP. */
    List<Lease> list(String network);

    /** Every lease of every network, in no particular order, without building one big list. */
    void forEach(Consumer<Lease> action);

    long count();
}
