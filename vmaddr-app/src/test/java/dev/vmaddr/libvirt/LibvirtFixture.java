package dev.vmaddr.libvirt;

import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import dev.vmaddr.vm.EngineVmIpam;
import dev.vmaddr.vm.PoolVmMacs;
import dev.vmaddr.vm.VmInventory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The real inventory, allocation engine and MAC pool on the in-memory store, with networks
 * {@code t1} (bridge br-t1, on-delete) and {@code t2} (libvirt network name t2, bridge br-t2,
 * on-delete), for planner and applier tests.
 */
final class LibvirtFixture {
    static final String URI = "test:///vmaddr";
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T20:00:00Z"));
    final MemoryStore store = new MemoryStore();
    final AllocationEngine engine = new AllocationEngine(store, clock, new SplittableRandom(7));
    final NetworkCatalog catalog = new NetworkCatalog(engine, clock);
    final MacPool pool = new MacPool(MacPoolSpec.defaults(), store.macs(), clock, new SplittableRandom(8));
    final VmInventory inventory;
    final ManagedDomains managed = new ManagedDomains(store.documents());

    LibvirtFixture() {
        catalog.put(network("t1", "198.18.4.0/24", ReleasePolicy.ON_DELETE));
        catalog.put(network("t2", "198.18.5.0/24", ReleasePolicy.ON_DELETE));
        inventory = new VmInventory(new EngineVmIpam(engine, catalog), new PoolVmMacs(pool), store.documents(),
                store.history(), clock);
    }

    static NetworkSpec network(String name, String cidr, ReleasePolicy release) {
        Ipv4Prefix p = Ipv4Prefix.parse(cidr);
        return NetworkSpec.builder(name, p).gateway(p.network().plus(1)).bridge("br-" + name).release(release)
                .pools(List.of(new Ipv4Range(p.network().plus(10), p.network().plus(250)))).build();
    }

    List<NetworkSpec> networks() {
        return new ArrayList<>(engine.networks());
    }

    SyncPlan plan(List<Domain> domains) {
        return SyncPlanner.plan(domains, inventory.list(), networks(), managed.names(URI));
    }

    /** Plans and applies; definition writes are collected in {@code defined}. */
    SyncResult sync(List<Domain> domains, List<SyncStep.DefineMac> defined) {
        return new SyncApplier(inventory, managed).apply(plan(domains), URI, defined::add);
    }

    static DomainInterface bridge(String mac, String bridge) {
        return new DomainInterface(mac == null ? null : MacAddress.parse(mac), "bridge", bridge, null, null, "virtio", 0);
    }

    static DomainInterface aliased(String mac, String bridge, String alias) {
        return new DomainInterface(mac == null ? null : MacAddress.parse(mac), "bridge", bridge, null, alias, "virtio", 0);
    }

    static Domain domain(String name, String state, DomainInterface... interfaces) {
        return new Domain(name, "uuid-" + name, state, List.of(interfaces), true);
    }
}
