package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link VmLifecycle}: create, start, stop, delete, host changes and NICs, with each network's release policy. */
class VmLifecycleTest {
    private final VmFixture f = new VmFixture();
    private final VmInventory inv = f.inventory;

    @Test
    void createGivesTheNicAPoolMacAndAReservedAddress() {
        Vm vm = inv.create("web1", "hv1", List.of(new NicRequest("nic0", "t1", null)));

        assertThat(vm.state()).isEqualTo(VmState.STOPPED);
        Nic nic = vm.nic("nic0").orElseThrow();
        assertThat(nic.mac().toString()).startsWith("52:54:00:");
        assertThat(nic.ip()).isNotNull();
        assertThat(f.reservations("t1"))
                .containsExactly(new Reservation(nic.mac(), null, nic.ip(), "web1"));
        assertThat(f.bound("t1")).containsEntry(nic.ip(), nic.mac());
        assertThat(f.macOwner(nic.mac())).isEqualTo("vm/web1/nic0");
        NicView view = inv.view(vm, "nic0");
        assertThat(view.ipv6Slaac()).isEqualTo(f.engine.network("t1").orElseThrow().ipv6Prefix().slaacAddress(nic.mac()));
        assertThat(VmJson.view(inv.view(vm)).toString())
                .contains("\"state\":\"stopped\"", "\"pendingMac\":null", "\"observed\":null", "\"ipv6Slaac\":\"2001:db8:0:1:");
    }

    @Test
    void onStopNetworkGetsAddressAndMacBackAtStopAndGivesFreshOnesAtStart() {
        Vm vm = inv.create("eph", "hv1", List.of(new NicRequest("nic0", "t2", null)));
        Nic nic = vm.nic("nic0").orElseThrow();
        inv.start("eph");
        Vm stopped = inv.stop("eph");

        Nic gone = stopped.nic("nic0").orElseThrow();
        assertThat(gone.mac()).isNull();
        assertThat(gone.ip()).isNull();
        assertThat(f.reservations("t2")).isEmpty();
        assertThat(f.bound("t2")).isEmpty();
        assertThat(f.macState(nic.mac())).isEqualTo(MacState.QUARANTINED);

        Nic again = inv.start("eph").nic("nic0").orElseThrow();
        assertThat(again.mac()).isNotNull().isNotEqualTo(nic.mac());
        assertThat(again.ip()).isNotNull();
        assertThat(f.reservations("t2")).hasSize(1);
    }

    @Test
    void onDeleteNetworkKeepsEverythingOverStopAndGivesItBackAtDelete() {
        Vm vm = inv.create("keep", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        Nic nic = vm.nic("nic0").orElseThrow();
        inv.start("keep");
        inv.stop("keep");
        inv.start("keep");
        assertThat(inv.get("keep").nic("nic0").orElseThrow()).isEqualTo(nic);

        inv.delete("keep");
        assertThat(inv.find("keep")).isEmpty();
        assertThat(f.reservations("t1")).isEmpty();
        assertThat(f.bound("t1")).isEmpty();
        assertThat(f.macState(nic.mac())).isEqualTo(MacState.QUARANTINED);
        assertThat(f.store.documents().list("vm")).isEmpty();
    }

    @Test
    void neverNetworkKeepsAddressAndMacEvenAfterDelete() {
        Vm vm = inv.create("pet", "hv1", List.of(new NicRequest("nic0", "t3", null)));
        Nic nic = vm.nic("nic0").orElseThrow();
        inv.delete("pet");
        assertThat(f.reservations("t3")).hasSize(1);
        assertThat(f.macState(nic.mac())).isEqualTo(MacState.ALLOCATED);
    }

    @Test
    void removingANicGivesBackItsAddressAndMac() {
        inv.create("two", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        Nic added = inv.addNic("two", new NicRequest("nic1", "t1", MacAddress.parse("02:18:00:00:00:07"))).nic("nic1").orElseThrow();
        assertThat(added.mac().toString()).isEqualTo("02:18:00:00:00:07");
        inv.removeNic("two", "nic1");
        assertThat(inv.get("two").nics()).extracting(Nic::name).containsExactly("nic0");
        assertThat(f.bound("t1")).doesNotContainKey(added.ip());
        assertThat(f.macState(added.mac())).isEqualTo(MacState.QUARANTINED);
    }

    @Test
    void migrationAndHostChangeKeepMacAndAddress() {
        Vm vm = inv.create("mig", "hv1", List.of(new NicRequest("nic0", "t2", null)));
        inv.start("mig");
        Vm moved = inv.migrate("mig", "hv2");
        assertThat(moved.host()).isEqualTo("hv2");
        assertThat(moved.nics()).isEqualTo(vm.nics());
        assertThat(moved.state()).isEqualTo(VmState.RUNNING);
    }

    @Test
    void inventorySurvivesARestartOfTheProcess() throws Exception {
        Vm vm = inv.create("dur", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        inv.start("dur");
        inv.setMac("dur", "nic0", MacAddress.parse("52:54:00:00:88:01"));
        inv.report("dur", f.qga("[" + VmFixture.qgaIface("eth0", vm.nic("nic0").orElseThrow().mac(), "198.18.4.200") + "]"));

        VmInventory again = f.reopen();
        assertThat(again.get("dur")).isEqualTo(inv.get("dur"));
    }

    @Test
    void badAndTakenInputIsRefusedNamingTheField() {
        assertThatThrownBy(() -> inv.create("Web_1", "hv1", List.of()))
                .isInstanceOf(VmException.class).hasMessageStartingWith("name:");
        assertThatThrownBy(() -> inv.create("w", "hv1", List.of(new NicRequest("nic0", "t1", MacAddress.parse("01:00:5e:00:00:01")))))
                .isInstanceOf(VmException.class).hasMessageStartingWith("nics[0].mac:")
                .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.BAD_INPUT);
        assertThatThrownBy(() -> inv.create("w", "hv1", List.of(new NicRequest("nic0", "nope", null))))
                .isInstanceOf(VmException.class).hasMessageContaining("network nope")
                .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.NOT_FOUND);
        assertThatThrownBy(() -> inv.create("w", "hv1", List.of(new NicRequest("nic0", "t1", null), new NicRequest("nic0", "t1", null))))
                .isInstanceOf(VmException.class).hasMessageStartingWith("nics[1].name:");

        MacAddress taken = inv.create("a", "hv1", List.of(new NicRequest("nic0", "t1", null))).nic("nic0").orElseThrow().mac();
        assertThatThrownBy(() -> inv.create("b", "hv1", List.of(new NicRequest("nic0", "t1", taken))))
                .isInstanceOf(VmException.class)
                .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.CONFLICT);
        MacAddress other = inv.create("c", "hv1", List.of(new NicRequest("nic0", "t1", null))).nic("nic0").orElseThrow().mac();
        assertThatThrownBy(() -> inv.setMac("a", "nic0", other))
                .isInstanceOf(VmException.class)
                .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.CONFLICT);
        assertThat(inv.get("a").nic("nic0").orElseThrow().pendingMac()).isNull();
        assertThat(inv.find("b")).isEmpty();
        assertThatThrownBy(() -> inv.create("a", "hv1", List.of())).isInstanceOf(VmException.class)
                .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.CONFLICT);
    }

    @Test
    void aFailedCreateGivesBackWhatItTook() {
        // nic1's network does not exist: nic0's MAC and address must not leak.
        assertThatThrownBy(() -> inv.create("half", "hv1", List.of(new NicRequest("nic0", "t1", null), new NicRequest("nic1", "zz", null))))
                .isInstanceOf(VmException.class);
        assertThat(f.bound("t1")).isEmpty();
        assertThat(f.reservations("t1")).isEmpty();
    }
}
