package dev.vmaddr.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.NetworkCatalog;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Instant START = Instant.parse("2025-06-14T09:43:25Z");
    final MutableClock clock;
    final Store store;
    final AllocationEngine engine;
    final MacPool pool;
    final NetworkCatalog catalog;
    final VmInventory inventory;

    VmFixture() {
        this(new MemoryStore(), true, new MutableClock(START));
    }

    /** @param clock the store's clock too, so its retention rules see the same time */
    VmFixture(Store store, boolean seedNetworks, MutableClock clock) {
        this.store = store;
        this.clock = clock;
        engine = new AllocationEngine(store, clock, new SplittableRandom(7));
        catalog = new NetworkCatalog(engine, clock);
        pool = new MacPool(MacPoolSpec.defaults(), store.macs(), clock, new SplittableRandom(8));
        if (seedNetworks) {
            catalog.put(network("t1", "198.18.4.0/24", ReleasePolicy.ON_DELETE, "2001:db8:0:1::/64"));
            catalog.put(network("t2", "198.18.5.0/24", ReleasePolicy.ON_STOP, null));
            catalog.put(network("t3", "198.18.6.0/24", ReleasePolicy.NEVER, null));
        }
        inventory = new VmInventory(new EngineVmIpam(engine, catalog), new PoolVmMacs(pool), store.documents(),
                store.history(), clock);
    }

    static NetworkSpec network(String name, String cidr, ReleasePolicy release, String v6) {
        Ipv4Prefix p = Ipv4Prefix.parse(cidr);
        return NetworkSpec.builder(name, p).gateway(p.network().plus(1)).domain("lab.example").mtu(1500)
                .bridge("br-" + name).ipv6Prefix(v6 == null ? null : Ipv6Prefix.parse(v6)).release(release)
                .pools(List.of(new Ipv4Range(p.network().plus(10), p.network().plus(250)))).build();
    }

    VmInventory reopen() {
        return new VmInventory(new EngineVmIpam(engine, catalog), new PoolVmMacs(pool), store.documents(), store.history(), clock);
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

    /** A guest agent report of {@code listJson} (the {@code guest-network-get-interfaces} list), at the fixture's time. */
    GuestReport qga(String listJson) throws Exception {
        return new GuestReports(clock).parse(JSON.readTree("{\"source\":\"qemu-guest-agent\",\"interfaces\":" + listJson + "}"));
    }

    /** One guest agent interface with an IPv4 and a link-local IPv6 address. */
    static String qgaIface(String name, Object mac, String ip) {
        return "{\"name\":\"" + name + "\",\"hardware-address\":\"" + mac + "\",\"ip-addresses\":[{\"ip-address-type\":\"ipv4\","
                + "\"ip-address\":\"" + ip + "\",\"prefix\":24},{\"ip-address-type\":\"ipv6\",\"ip-address\":\"fe80::1%" + name
                + "\",\"prefix\":64}]}";
    }

    /** The guest agent's loopback interface, which matching ignores. */
    static final String LO = "{\"name\":\"lo\",\"hardware-address\":\"00:00:00:00:00:00\",\"ip-addresses\":"
            + "[{\"ip-address-type\":\"ipv4\",\"ip-address\":\"127.0.0.1\",\"prefix\":8}]}";

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }
}
