package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link MacChanges}: a MAC set through the API is pending until the next (re)start, then the address follows it. */
class MacChangesTest {
    private final VmFixture f = new VmFixture();
    private final VmInventory inv = f.inventory;
    private final List<String> counted = new ArrayList<>();
    private final VmDrift drift = new VmDrift(inv, (subject, finding) -> counted.add(finding.kind().wireName()));

    private List<String> kinds(String vm) {
        return drift.findings(vm).stream().map(d -> d.kind().wireName()).toList();
    }

    @Test
    void macChangeIsPendingUntilRestartAndDriftShowsItThenGoes() throws Exception {
        Vm vm = inv.create("web1", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        Nic before = vm.nic("nic0").orElseThrow();
        inv.start("web1");
        MacAddress wanted = MacAddress.parse("52:54:00:aa:bb:cc");

        Nic pending = inv.setMac("web1", "nic0", wanted);
        assertThat(pending.mac()).isEqualTo(before.mac());
        assertThat(pending.pendingMac()).isEqualTo(wanted);
        assertThat(f.macOwner(wanted)).isEqualTo("vm/web1/nic0");

        // The guest still runs with the old MAC and reports it.
        inv.report("web1", f.qga("[" + VmFixture.LO + "," + VmFixture.qgaIface("eth0", before.mac(), before.ip().toString()) + "]"));
        List<DriftFinding> found = drift.findings("web1");
        assertThat(found).extracting(DriftFinding::kind).containsExactly(DriftKind.PENDING_CHANGE);
        assertThat(found.getFirst().expected()).isEqualTo(wanted.toString());
        assertThat(found.getFirst().observed()).isEqualTo(before.mac().toString());
        assertThat(found.getFirst().fix()).contains("POST /api/v1/vms/web1/restart");

        inv.restart("web1");
        Nic after = inv.get("web1").nic("nic0").orElseThrow();
        assertThat(after.mac()).isEqualTo(wanted);
        assertThat(after.pendingMac()).isNull();
        assertThat(after.ip()).isEqualTo(before.ip());
        assertThat(f.reservations("t1"))
                .containsExactly(new Reservation(wanted, null, before.ip(), "web1"));
        assertThat(f.bound("t1")).containsEntry(before.ip(), wanted);
        assertThat(f.macState(before.mac())).isEqualTo(MacState.QUARANTINED);
        assertThat(kinds("web1")).isEmpty();

        // The rebooted guest reports the new MAC: still no drift.
        inv.report("web1", f.qga("[" + VmFixture.qgaIface("eth0", wanted, before.ip().toString()) + "]"));
        assertThat(kinds("web1")).isEmpty();
        assertThat(counted).containsExactly("pending-change");
        assertThat(f.store.history().query(null, wanted, "vm/web1/nic0", null, null, 100))
                .extracting(e -> e.action()).contains("nic-mac-pending", "nic-mac-changed");
    }

    @Test
    void stoppedVmAppliesThePendingMacAtItsNextStart() {
        Vm vm = inv.create("db1", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        Nic nic = vm.nic("nic0").orElseThrow();
        MacAddress wanted = MacAddress.parse("52:54:00:00:99:01");
        inv.setMac("db1", "nic0", wanted);
        assertThat(inv.get("db1").nic("nic0").orElseThrow().mac()).isEqualTo(nic.mac());

        inv.start("db1");
        Nic after = inv.get("db1").nic("nic0").orElseThrow();
        assertThat(after.mac()).isEqualTo(wanted);
        assertThat(after.ip()).isEqualTo(nic.ip());
    }

    @Test
    void settingTheSpecMacAgainCancelsThePendingChange() {
        Vm vm = inv.create("db1", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        MacAddress spec = vm.nic("nic0").orElseThrow().mac();
        MacAddress wanted = MacAddress.parse("52:54:00:00:99:02");
        inv.setMac("db1", "nic0", wanted);
        Nic back = inv.setMac("db1", "nic0", spec);
        assertThat(back.pendingMac()).isNull();
        assertThat(f.macState(wanted)).isEqualTo(MacState.QUARANTINED);
    }
}
