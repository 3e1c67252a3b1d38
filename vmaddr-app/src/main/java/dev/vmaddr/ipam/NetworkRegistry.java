package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's networks and their indexes, and their reconfiguration. A {@link NetworkIndex} is
 * rebuilt from the store's leases when its network is put and at construction. Replacing or
 * removing one first retires the old index once no operation is in flight on it
 * ({@link NetworkIndex#retireWhenIdle}); an operation that finds its index retired looks the
 * network up again ({@link #enter}).
 */
final class NetworkRegistry {
    // logs under the engine's name, as before the engine was split: operators filter on it
    private static final Logger LOG = LoggerFactory.getLogger(AllocationEngine.class);

    private final Store store;
    private final Clock clock;
    private final Map<String, NetworkIndex> indexes = new ConcurrentHashMap<>();
    /**
     * The indexes as an array, republished after every change of {@link #indexes} (rare: config
     * changes): the per-packet lookups below walk it, where iterating the map made an iterator per
     * packet. Like the map's own iteration it may lag a change in progress by one lookup.
     */
    private volatile NetworkIndex[] live = new NetworkIndex[0];
    private final Object configLock = new Object();

    NetworkRegistry(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        // Side by side (the common pool and this thread): each index is its own and the store's reads run
        // concurrently; with a million leases over many networks, start-up waits half as long. The
        // array is published once, after all are built (putIndex from several threads could publish
        // an array that misses one).
        store.networks().list().parallelStream().forEach(spec -> indexes.put(spec.name(), build(spec)));
        live = indexes.values().toArray(NetworkIndex[]::new);
    }

    /** See {@link AllocationEngine#putNetwork}. */
    void put(NetworkSpec spec) {
        NetworkValidator.requireValid(spec);
        synchronized (configLock) {
            NetworkIndex old = indexes.get(spec.name());
            if (old != null) {
                old.retireWhenIdle();
            }
            try {
                store.networks().put(spec);
                putIndex(spec.name(), build(spec));
            } catch (StoreException e) {
                if (old != null) {
                    putIndex(spec.name(), build(old.spec()));
                }
                throw new AllocationException(Reason.STORE_UNAVAILABLE, "cannot store network " + spec.name(), e);
            } finally {
                if (old != null) {
                    old.unlock();
                }
            }
        }
        LOG.info(LogEvents.NETWORK_PUT + " network={} cidr={}", spec.name(), spec.cidr());
    }

    boolean remove(String name) {
        synchronized (configLock) {
            NetworkIndex old = indexes.get(name);
            if (old != null) {
                old.retireWhenIdle();
            }
            try {
                boolean removed = store.networks().delete(name);
                removeIndex(name);
                LOG.info(LogEvents.NETWORK_REMOVED + " network={}", name);
                return removed || old != null;
            } catch (StoreException e) {
                if (old != null) {
                    putIndex(name, build(old.spec()));
                }
                throw new AllocationException(Reason.STORE_UNAVAILABLE, "cannot remove network " + name, e);
            } finally {
                if (old != null) {
                    old.unlock();
                }
            }
        }
    }

    /**
     * Brings this engine's networks in line with the store, for a store shared by several servers
     * (PostgreSQL): networks another server added are indexed, those whose stored definition differs
     * are re-indexed from the store's leases, those deleted from the store are dropped. The store is
     * read under the config lock, so a concurrent {@link #put} of this engine is never undone by an
     * older list. Returns how many networks changed.
     */
    int sync() {
        int changed = 0;
        synchronized (configLock) {
            List<NetworkSpec> stored = store.networks().list();
            Map<String, NetworkSpec> byName = new HashMap<>();
            for (NetworkSpec spec : stored) {
                byName.put(spec.name(), spec);
                NetworkIndex old = indexes.get(spec.name());
                if (old != null && old.spec().equals(spec)) {
                    continue;
                }
                if (old != null) {
                    old.retireWhenIdle();
                }
                try {
                    putIndex(spec.name(), build(spec));
                } finally {
                    if (old != null) {
                        old.unlock();
                    }
                }
                changed++;
                LOG.info(LogEvents.NETWORK_SYNCED + " network={} cidr={}", spec.name(), spec.cidr());
            }
            for (NetworkIndex idx : List.copyOf(indexes.values())) {
                if (!byName.containsKey(idx.name())) {
                    idx.retireWhenIdle();
                    try {
                        removeIndex(idx.name());
                    } finally {
                        idx.unlock();
                    }
                    changed++;
                    LOG.info(LogEvents.NETWORK_SYNCED + " network={} removed=true", idx.name());
                }
            }
        }
        return changed;
    }

    private NetworkIndex build(NetworkSpec spec) {
        NetworkIndex idx = new NetworkIndex(spec);
        Instant now = clock.instant();
        long nowSecond = now.getEpochSecond();
        int nowNano = now.getNano();
        store.leases().forEachOccupancyIn(spec.name(), (ip, mac, hasClientId, state, expSecond, expNano) -> {
            Ipv4Address address = new Ipv4Address(ip);
            Instant expires = Instant.ofEpochSecond(expSecond, expNano);
            // Lease.occupiesAt, on the numbers
            if (state.occupies() && (expSecond > nowSecond || expSecond == nowSecond && expNano > nowNano)) {
                idx.markTaken(address);
                idx.addExpiry(address, expires);
                if (state == LeaseState.BOUND && hasClientId) {
                    idx.noteBoundUnderClientId(mac, ip);
                }
            } else {
                // used before and free since it ended: the reuse cooldown's order survives a restart
                idx.markFreed(address, expires, false);
            }
        });
        return idx;
    }

    Optional<NetworkSpec> network(String name) {
        NetworkIndex idx = indexes.get(name);
        return idx == null ? Optional.empty() : Optional.of(idx.spec());
    }

    private void putIndex(String name, NetworkIndex index) {
        indexes.put(name, index);
        live = indexes.values().toArray(NetworkIndex[]::new);
    }

    private void removeIndex(String name) {
        indexes.remove(name);
        live = indexes.values().toArray(NetworkIndex[]::new);
    }

    List<NetworkSpec> networks() {
        return indexes.values().stream().map(NetworkIndex::spec).sorted(Comparator.comparing(NetworkSpec::name)).toList();
    }

    // The three lookups below run for every DHCP packet: they walk the live indexes without building
    // and sorting a list. Networks do not overlap (NetworkValidator), so at most one matches.

    Optional<NetworkSpec> networkForRelay(Ipv4Address giaddr) {
        for (NetworkIndex idx : live) {
            if (idx.spec().servesRelay(giaddr)) {
                return Optional.of(idx.spec());
            }
        }
        return Optional.empty();
    }

    Optional<NetworkSpec> networkForInterface(String ifname) {
        for (NetworkIndex idx : live) {
            if (ifname.equals(idx.spec().bridge())) {
                return Optional.of(idx.spec());
            }
        }
        return Optional.empty();
    }

    Optional<NetworkSpec> networkContaining(Ipv4Address ip) {
        for (NetworkIndex idx : live) {
            if (idx.spec().cidr().contains(ip)) {
                return Optional.of(idx.spec());
            }
        }
        return Optional.empty();
    }

    /** The live indexes, as a copy (for a pass over all networks). */
    Collection<NetworkIndex> indexes() {
        return List.copyOf(indexes.values());
    }

    NetworkIndex index(String network) {
        NetworkIndex idx = indexes.get(network);
        if (idx == null) {
            throw new AllocationException(Reason.UNKNOWN_NETWORK, "no network named " + network);
        }
        return idx;
    }

    /**
     * The network's index, entered for {@code holder} through its holder gate
     * ({@link NetworkIndex#enter}); {@code machine} is the holder's bare MAC, or the holder itself.
     * A network replaced meanwhile is looked up again.
     */
    NetworkIndex enter(String network, HolderKey holder, HolderKey machine) {
        for (int i = 0; ; i++) {
            NetworkIndex idx = index(network);
            if (idx.enter(holder, machine)) {
                return idx;
            }
            if (i > 100) {
                idx.requireLive();
            }
        }
    }
}
