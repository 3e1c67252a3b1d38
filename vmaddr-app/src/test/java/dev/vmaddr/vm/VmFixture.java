package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.ipam.NetworkSpec;
import dev.vmaddr.ipam.ReleasePolicy;
import java.time.Instant;
import java.util.List;

/** One inventory over the stand-in peers, with networks t1 (on-delete), t2 (on-stop), t3 (never). */
final class VmFixture {
    final MutableClock clock = new MutableClock(Instant.parse("2025-06-14T09:43:25Z"));
    final InMemoryIpam ipam = new InMemoryIpam();
    final InMemoryMacPool macs = new InMemoryMacPool();
    final InMemoryDocuments store = new InMemoryDocuments();
    final VmInventory inventory;

    VmFixture() {
        ipam.putNetwork(network("t1", "198.18.4.0/24", ReleasePolicy.ON_DELETE, "2001:db8:0:1::/64"));
        ipam.putNetwork(network("t2", "198.18.5.0/24", ReleasePolicy.ON_STOP, null));
        ipam.putNetwork(network("t3", "198.18.6.0/24", ReleasePolicy.NEVER, null));
        inventory = new VmInventory(ipam, macs, store, store, clock);
    }

    static NetworkSpec network(String name, String cidr, ReleasePolicy release, String v6) {
        Ipv4Prefix p = Ipv4Prefix.parse(cidr);
        return new NetworkSpec(name, p, p.network().plus(1), List.of(), "lab.example", 1500, "br-" + name, null,
                v6 == null ? null : Ipv6Prefix.parse(v6), release, null, null, null,
                List.of(new Ipv4Range(p.network().plus(10), p.network().plus(250))), List.of(), List.of(), null,
                List.of(), List.of());
    }

    VmInventory reopen() {
        return new VmInventory(ipam, macs, store, store, clock);
    }

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }
}
