package dev.vmaddr.serve;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.protocol.DhcpEvents;
import dev.vmaddr.dhcp.protocol.LeaseEvent;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.vm.EngineVmIpam;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.PoolVmMacs;
import dev.vmaddr.vm.VmInventory.NicRequest;
import dev.vmaddr.vm.VmInventory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VmDhcpObserverTest {
    private final Clock clock = Clock.fixed(Instant.parse("2025-06-14T09:43:25Z"), ZoneOffset.UTC);

    @Test
    void boundLeasesOfVmNicsBecomeObservationsAndEveryEventPassesOn() {
        MemoryStore store = new MemoryStore();
        AllocationEngine engine = new AllocationEngine(store, clock, new SplittableRandom(1));
        engine.putNetwork(NetworkSpec.of("n1", Ipv4Prefix.parse("198.18.30.0/24"), Ipv4Address.parse("198.18.30.1"),
                List.of(Ipv4Range.parse("198.18.30.10-198.18.30.90"))));
        VmInventory vms = new VmInventory(new EngineVmIpam(engine, new Object()),
                new PoolVmMacs(new MacPool(MacPoolSpec.defaults(), store.macs(), clock, new SplittableRandom(2))),
                store.documents(), store.history(), clock);
        Nic nic = vms.create("web1", "hv1", List.of(new NicRequest("nic0", "n1", null))).nic("nic0").orElseThrow();
        List<LeaseEvent> passedOn = new ArrayList<>();
        VmDhcpObserver observer = new VmDhcpObserver(vms, new DhcpEvents() {
            @Override
            public void lease(LeaseEvent event, Lease lease) {
                passedOn.add(event);
            }
        });

        observer.lease(LeaseEvent.BOUND, lease(nic.mac(), nic.ip()));
        MacAddress stranger = MacAddress.parse("02:aa:00:00:00:01");
        observer.lease(LeaseEvent.BOUND, lease(stranger, Ipv4Address.parse("198.18.30.77")));

        assertThat(vms.get("web1").nic("nic0").orElseThrow().observed().source()).isEqualTo("dhcp");
        assertThat(vms.get("web1").nic("nic0").orElseThrow().observed().ips()).containsExactly(nic.ip().toString());
        assertThat(vms.unknownMacs("n1")).isEmpty();
        assertThat(passedOn).containsExactly(LeaseEvent.BOUND, LeaseEvent.BOUND);
    }

    private Lease lease(MacAddress mac, Ipv4Address ip) {
        return new Lease("n1", ip, mac, null, null, LeaseState.BOUND, clock.instant().plusSeconds(3600), clock.instant());
    }
}
