package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

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
     * <p>A store that several servers share (PostgreSQL) also refuses a BOUND lease of a holder that
     * has another BOUND lease in the network occupying at {@code now}, naming that lease in the
     * conflict: each server's engine gives a holder one address, but cannot see another server's
     * allocation of the last moments. A single-server store leaves that rule to its engine.
     *
     * <p>Inside a {@link DeferredDurability} scope of a store that {@linkplain Store#defersDurability()
     * defers durability}, "applied" is this server's decision, not yet durable: the scope reports
     * whether it became durable, and a shared store's database may still refuse it then (another
     * server's lease of the last moments); nothing may be acknowledged before the scope says so.
     *
     * @throws StoreException when the write cannot be made durable (nothing is written then)
     */
    WriteResult put(Lease lease, Instant now);

    /**
     * Many {@link #put}s as one durable unit (an import): each lease is written unless its address is
     * occupied at {@code now} by a different holder, exactly as {@code put} decides, and the ones
     * written become durable together: one group-committed batch in the embedded store, one
     * transaction in PostgreSQL. Returns one result per lease, in the order given. Durable on return.
     *
     * <p>A store that several servers share also fails the whole call when a BOUND lease's holder has
     * another BOUND lease in the network that occupies at {@code now} (its unique index); nothing is
     * written then. The engine checks that before it calls, so only a race with another server's
     * grant of the same moments ends so, and the caller may try again.
     *
     * @throws IllegalArgumentException when two leases name one address of one network
     * @throws StoreException when the writes cannot be made durable (none of them is written then)
     */
    List<WriteResult> putAll(List<Lease> leases, Instant now);

    /**
     * For {@link #putAll}: refuses a list that names one address twice (which write would win is not
     * defined). Sorted addresses per network rather than a set of keys: an import of a million
     * leases is checked in tens of milliseconds, without a million boxed keys.
     */
    static void requireDistinctAddresses(List<Lease> leases) {
        java.util.Map<String, int[]> byNetwork = new java.util.HashMap<>();
        java.util.Map<String, int[]> counts = new java.util.HashMap<>();
        for (Lease l : leases) {
            int[] count = counts.computeIfAbsent(l.network(), k -> new int[1]);
            int[] ips = byNetwork.computeIfAbsent(l.network(), k -> new int[leases.size()]);
            ips[count[0]++] = l.ip().value() ^ Integer.MIN_VALUE; // unsigned order
        }
        byNetwork.forEach((network, ips) -> {
            int n = counts.get(network)[0];
            java.util.Arrays.sort(ips, 0, n);
            for (int i = 1; i < n; i++) {
                if (ips[i] == ips[i - 1]) {
                    throw new IllegalArgumentException("address " + new Ipv4Address(ips[i] ^ Integer.MIN_VALUE) + " of network "
                            + network + " is written twice in one putAll");
                }
            }
        });
    }

    /**
     * Removes the record of an address entirely (used when a network is deleted or an address
     * leaves every pool). Durable on return. Returns false when there was none.
     */
    boolean remove(String network, Ipv4Address ip);

    Optional<Lease> get(String network, Ipv4Address ip);

    /** The most recently written lease of this holder in this network, in any state. */
    Optional<Lease> findByHolder(String network, HolderKey holder);

    /**
     * One page of the network's leases: those with an address above {@code after} (all when null) that
     * pass {@code filter}, in ascending address order (addresses compared as unsigned numbers), at most
     * {@code limit} of them. Following pages start after the last address returned; a page shorter
     * than {@code limit} is the last one.
     *
     * <p>Costs O(log N + limit) for N leases in the network, plus the leases {@code filter} turns
     * down: a page never reads the whole network. Each lease returned is as durable as one returned by
     * {@link #get}; a page is not a snapshot of the network, so writes made while paging may or may
     * not show on later pages (a lease that stays put is returned exactly once by a walk through all
     * pages). {@code filter} may run on a store thread while the store reads; it must be quick and
     * must not call the store.
     *
     * @param limit at least 1
     * @throws IllegalArgumentException when {@code network} is missing or {@code limit} is below 1
     */
    List<Lease> list(String network, Ipv4Address after, int limit, Predicate<Lease> filter);

    /** Every lease of the network, ordered by IP: the pages of {@link #list(String, Ipv4Address, int, Predicate)}. */
    default List<Lease> list(String network) {
        return list(network, null, Integer.MAX_VALUE, lease -> true);
    }

    /** Every lease of every network, in no particular order, without building one big list. */
    void forEach(Consumer<Lease> action);

    /**
     * What an allocator's index takes from every lease of a network when it is built (at start,
     * 1,000,000 leases): the fields as numbers, so that a store keeping compact entries makes no
     * {@link Lease} (an object with two Instants, two addresses, a client-id and a hostname string) per
     * lease only to have it dropped.
     */
    @FunctionalInterface
    interface Occupancy {
        void lease(int ip, long mac, boolean hasClientId, LeaseState state, long expiresSecond, int expiresNano);
    }

    /**
     * Every lease of the network, in no particular order, as {@link Occupancy}: for building an index,
     * where the pages of {@link #list} would cost a sorted walk and a round trip per page.
     */
    default void forEachOccupancyIn(String network, Occupancy sink) {
        list(network).forEach(l -> sink.lease(l.ip().value(), l.mac().value(), l.clientId() != null, l.state(),
                l.expiresAt().getEpochSecond(), l.expiresAt().getNano()));
    }

    long count();
}
