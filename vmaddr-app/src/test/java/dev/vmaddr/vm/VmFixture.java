package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One inventory over the real allocation engine and MAC pool on a store (the in-memory one unless
 * given), with networks t1 (on-delete, IPv6 prefix), t2 (on-stop), t3 (never).
 */
final class VmFixture {
    static final Instant START = Instant.parse("2025-06-14T09:43:25Z");
    final MutableClock clock;
    final Store store;
    final AllocationEngine engine;
    final MacPool pool;
    final Object editLock = new Object();
    final VmInventory inventory;

    VmFixture() {
        this(new MemoryStore(), true, new MutableClock(START));
    }

    /** @param clock the store's clock too, so its retention rules see the same time */
    VmFixture(Store store, boolean seedNetworks, MutableClock clock) {
        this.store = store;
        this.clock = clock;
        engine = new AllocationEngine(store, clock, new SplittableRandom(7));
        pool = new MacPool(MacPoolSpec.defaults(), store.macs(), clock, new SplittableRandom(8));
        if (seedNetworks) {
            engine.putNetwork(network("t1", "198.18.4.0/24", ReleasePolicy.ON_DELETE, "2001:db8:0:1::/64"));
            engine.putNetwork(network("t2", "198.18.5.0/24", ReleasePolicy.ON_STOP, null));
            engine.putNetwork(network("t3", "198.18.6.0/24", ReleasePolicy.NEVER, null));
        }
        inventory = new VmInventory(new EngineVmIpam(engine, editLock), new PoolVmMacs(pool), store.documents(),
                store.history(), clock);
    }

    static NetworkSpec network(String name, String cidr, ReleasePolicy release, String v6) {
        Ipv4Prefix p = Ipv4Prefix.parse(cidr);
        return new NetworkSpec(name, p, p.network().plus(1), List.of(), "lab.example", 1500, "br-" + name, null,
                v6 == null ? null : Ipv6Prefix.parse(v6), release, null, null, null,
                List.of(new Ipv4Range(p.network().plus(10), p.network().plus(250))), List.of(), List.of(), null,
                List.of(), List.of());
    }

    VmInventory reopen() {
        return new VmInventory(new EngineVmIpam(engine, editLock), new PoolVmMacs(pool), store.documents(), store.history(), clock);
    }

    List<Reservation> reservations(String network) {
        return engine.network(network).orElseThrow().reservations();
    }

    /** Addresses bound now, address → MAC. */
    Map<Ipv4Address, MacAddress> bound(String network) {
        Map<Ipv4Address, MacAddress> out = new TreeMap<>();
        for (Lease l : engine.leases(network, null, Integer.MAX_VALUE, x -> true)) {
            if (l.state() == LeaseState.BOUND && l.occupiesAt(clock.instant())) {
                out.put(l.ip(), l.mac());
            }
        }
        return out;
    }

    MacState macState(MacAddress mac) {
        return pool.record(mac).map(MacRecord::state).orElse(null);
    }

    String macOwner(MacAddress mac) {
        return pool.record(mac).map(MacRecord::owner).orElse(null);
    }

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }
}
