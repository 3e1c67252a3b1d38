package dev.vmaddr.libvirt;

import static dev.vmaddr.libvirt.LibvirtFixture.aliased;
import static dev.vmaddr.libvirt.LibvirtFixture.bridge;
import static dev.vmaddr.libvirt.LibvirtFixture.domain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.libvirt.SyncPlan.Action;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import dev.vmaddr.vm.VmInventory.NicRequest;
import dev.vmaddr.vm.VmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The planner's rules one by one, applied through the real inventory (SyncApplier) where it matters. */
class SyncPlannerTest {
    private static final String M1 = "52:54:00:00:00:01";
    private static final String M2 = "52:54:00:00:00:02";
    private static final String M3 = "52:54:00:00:00:03";

    private final LibvirtFixture f = new LibvirtFixture();
    private final List<SyncStep.DefineMac> defined = new ArrayList<>();

    @Test
    void aDefinedDomainBecomesAStoppedVmWithItsMacClaimedOnTheBridgesNetwork() {
        SyncResult r = f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1"))), defined);

        assertThat(r.plan().vms()).singleElement().satisfies(v -> {
            assertThat(v.action()).isEqualTo(Action.CREATED);
            assertThat(v.nics()).containsExactly(new SyncPlan.NicPlan("nic0", MacAddress.parse(M1), "t1"));
        });
        Vm vm = f.inventory.get("web1");
        assertThat(vm.state()).isEqualTo(VmState.STOPPED);
        assertThat(vm.nics()).singleElement().satisfies(n -> {
            assertThat(n.mac()).isEqualTo(MacAddress.parse(M1));
            assertThat(n.network()).isEqualTo("t1");
            assertThat(n.ip()).isNotNull();
        });
        assertThat(f.pool.record(MacAddress.parse(M1)).orElseThrow().owner()).isEqualTo("vm/web1/nic0");
        assertThat(f.plan(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1")))).vms())
                .extracting(SyncPlan.VmPlan::action).containsExactly(Action.UNCHANGED);
    }

    @Test
    void aLibvirtNetworkNameSelectsTheNetworkOfThatNameAndAUserAliasNamesTheNic() {
        DomainInterface byNetwork = new DomainInterface(MacAddress.parse(M1), "network", null, "t2", "ua-data", "virtio", 0);
        SyncPlan p = f.plan(List.of(domain("db", Domain.RUNNING, bridge(M2, "br-t1"), byNetwork)));

        assertThat(p.vms().getFirst().nics()).containsExactly(new SyncPlan.NicPlan("nic0", MacAddress.parse(M2), "t1"),
                new SyncPlan.NicPlan("data", MacAddress.parse(M1), "t2"));
        assertThat(p.vms().getFirst().steps()).containsExactly(
                new SyncStep.CreateVm("db", List.of(new NicRequest("nic0", "t1", MacAddress.parse(M2)),
                        new NicRequest("data", "t2", MacAddress.parse(M1)))),
                new SyncStep.Start("db", Set.of()));
    }

    @Test
    void aMacAnotherVmHoldsIsAConflictNeverASecondHolder() {
        f.inventory.create("api-made", "hv1", List.of(new NicRequest("nic0", "t1", MacAddress.parse(M1))));

        SyncResult r = f.sync(List.of(domain("clone", Domain.SHUT_OFF, bridge(M1, "br-t1"), bridge(M2, "br-t1"))), defined);

        assertThat(r.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo("mac-conflict");
            assertThat(c.nic()).isEqualTo("nic0");
            assertThat(c.detail()).contains("vm/api-made/nic0");
        });
        assertThat(f.inventory.get("clone").nics()).extracting(Nic::name, Nic::mac)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("nic1", MacAddress.parse(M2)));
        assertThat(f.inventory.get("api-made").nics().getFirst().mac()).isEqualTo(MacAddress.parse(M1));
    }

    @Test
    void twoDomainsWithOneMacInOnePassGiveItToTheFirstByName() {
        SyncPlan p = f.plan(List.of(domain("b", Domain.SHUT_OFF, bridge(M1, "br-t1")), domain("a", Domain.SHUT_OFF, bridge(M1, "br-t1"))));

        assertThat(p.vms()).extracting(SyncPlan.VmPlan::name).containsExactly("a", "b");
        assertThat(p.vms().get(0).nics()).hasSize(1);
        assertThat(p.vms().get(1).nics()).isEmpty();
        assertThat(p.conflicts()).singleElement().satisfies(c -> assertThat(c.vm()).isEqualTo("b"));
    }

    @Test
    void anInterfaceOnNoVmaddrNetworkIsReportedAndLeftAlone() {
        SyncPlan p = f.plan(List.of(domain("nat", Domain.SHUT_OFF,
                new DomainInterface(MacAddress.parse(M1), "network", "virbr0", "default", null, "virtio", 0))));

        assertThat(p.conflicts()).extracting(SyncPlan.Conflict::kind).containsExactly("no-network");
        assertThat(p.vms().getFirst().steps()).containsExactly(new SyncStep.CreateVm("nat", List.of()));
    }

    @Test
    void startAndStopFollowTheDomain() {
        f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1"))), defined);

        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1"))), defined);
        assertThat(f.inventory.get("web1").state()).isEqualTo(VmState.RUNNING);
        f.sync(List.of(domain("web1", "paused", bridge(M1, "br-t1"))), defined);
        assertThat(f.inventory.get("web1").state()).isEqualTo(VmState.RUNNING);
        f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1"))), defined);
        assertThat(f.inventory.get("web1").state()).isEqualTo(VmState.STOPPED);
    }

    @Test
    void hotPlugAddsANicAndUnplugRemovesIt() {
        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1"))), defined);

        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1"), bridge(M2, "br-t2"))), defined);
        assertThat(f.inventory.get("web1").nics()).extracting(Nic::name).containsExactly("nic0", "nic1");

        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M2, "br-t2"))), defined);
        assertThat(f.inventory.get("web1").nics()).extracting(Nic::name, Nic::mac)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("nic1", MacAddress.parse(M2)));
    }

    @Test
    void aPendingMacIsWrittenIntoAShutOffDomainOnlyAndAppliedWhenItBootsWithIt() {
        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1"))), defined);
        f.inventory.setMac("web1", "nic0", MacAddress.parse(M3));

        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1"))), defined);
        assertThat(defined).as("never while running").isEmpty();

        f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1"))), defined);
        assertThat(defined).containsExactly(new SyncStep.DefineMac("web1", "nic0", 0, MacAddress.parse(M1), MacAddress.parse(M3)));
        assertThat(f.inventory.get("web1").nics().getFirst().pendingMac()).isEqualTo(MacAddress.parse(M3));

        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M3, "br-t1"))), defined);
        Nic nic = f.inventory.get("web1").nics().getFirst();
        assertThat(nic.mac()).isEqualTo(MacAddress.parse(M3));
        assertThat(nic.pendingMac()).isNull();
    }

    @Test
    void aDomainThatBootsWithoutThePendingMacKeepsItPending() {
        f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1"))), defined);
        f.inventory.setMac("web1", "nic0", MacAddress.parse(M3));

        SyncPlan p = f.plan(List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1"))));
        assertThat(p.vms().getFirst().steps()).containsExactly(new SyncStep.Start("web1", Set.of()));
        new SyncApplier(f.inventory, f.managed).apply(p, LibvirtFixture.URI, defined::add);

        Nic nic = f.inventory.get("web1").nics().getFirst();
        assertThat(nic.mac()).isEqualTo(MacAddress.parse(M1));
        assertThat(nic.pendingMac()).isEqualTo(MacAddress.parse(M3));
    }

    @Test
    void aMacEditedInTheDefinitionBecomesPendingAndAppliesAtStart() {
        f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1"))), defined);

        f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M2, "br-t1"))), defined);
        assertThat(f.inventory.get("web1").nics().getFirst().pendingMac()).isEqualTo(MacAddress.parse(M2));
        assertThat(defined).isEmpty();

        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M2, "br-t1"))), defined);
        assertThat(f.inventory.get("web1").nics().getFirst().mac()).isEqualTo(MacAddress.parse(M2));
    }

    @Test
    void anUndefinedDomainRemovesItsVmButNeverAVmMadeThroughTheApi() {
        f.inventory.create("api-made", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1"))), defined);

        SyncResult r = f.sync(List.of(), defined);

        assertThat(r.plan().vms()).extracting(SyncPlan.VmPlan::name, SyncPlan.VmPlan::action)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("web1", Action.REMOVED));
        assertThat(f.inventory.find("web1")).isEmpty();
        assertThat(f.inventory.find("api-made")).isPresent();
        assertThat(f.pool.record(MacAddress.parse(M1)).orElseThrow().state().name()).isEqualTo("QUARANTINED");
        assertThat(f.managed.names(LibvirtFixture.URI)).isEmpty();
    }

    @Test
    void anExistingVmOfTheDomainsNameIsAdoptedAndThenManaged() {
        f.inventory.create("web1", "hv1", List.of(new NicRequest("nic0", "t1", MacAddress.parse(M1))));

        SyncResult r = f.sync(List.of(domain("web1", Domain.SHUT_OFF, bridge(M1, "br-t1"))), defined);

        assertThat(r.plan().vms().getFirst().action()).isEqualTo(Action.UNCHANGED);
        assertThat(f.managed.names(LibvirtFixture.URI)).containsExactly("web1");
        assertThat(f.managed.names("qemu:///other")).isEmpty();
    }

    @Test
    void aDomainWithoutMacGetsOneFromThePool() {
        f.sync(List.of(domain("a", Domain.SHUT_OFF, bridge(null, "br-t1")), domain("b", Domain.SHUT_OFF, bridge(null, "br-t1"))), defined);

        Nic a = f.inventory.get("a").nics().getFirst();
        Nic b = f.inventory.get("b").nics().getFirst();
        assertThat(a.mac()).isNotNull().isNotEqualTo(b.mac());
        assertThat(a.ip()).isNotNull().isNotEqualTo(b.ip());
    }

    @Test
    void twoInterfacesNamedAlikeAreAConflict() {
        SyncPlan p = f.plan(List.of(domain("x", Domain.SHUT_OFF, bridge(M1, "br-t1"), aliased(M2, "br-t1", "ua-nic0"))));

        assertThat(p.conflicts()).extracting(SyncPlan.Conflict::kind).containsExactly("duplicate-nic");
        assertThat(p.vms().getFirst().nics()).hasSize(1);
    }
}
