package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.testing.MutableClock;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** VMs, their reservations and MACs survive a restart of the process on the embedded store. */
class VmDurabilityTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(VmFixture.START);

    @Test
    void aVmWithAPendingMacComesBackWholeAfterReopeningTheStore() {
        Vm before;
        MacAddress pending = MacAddress.parse("52:54:00:00:66:01");
        try (EmbeddedStore store = EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults())) {
            VmFixture f = new VmFixture(store, true, clock);
            f.inventory.create("web1", "hv1", List.of(new NicRequest("nic0", "t1", null)));
            f.inventory.start("web1");
            f.inventory.setMac("web1", "nic0", pending);
            before = f.inventory.get("web1");
        }
        try (EmbeddedStore store = EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults())) {
            VmFixture f = new VmFixture(store, false, clock);
            Vm after = f.inventory.get("web1");
            assertThat(after).isEqualTo(before);
            Nic nic = after.nic("nic0").orElseThrow();
            assertThat(f.reservations("t1")).containsExactly(new Reservation(nic.mac(), null, nic.ip(), "web1"));
            assertThat(f.macState(pending)).isEqualTo(MacState.ALLOCATED);
            assertThat(f.macOwner(nic.mac())).isEqualTo("vm/web1/nic0");

            f.inventory.restart("web1");
            assertThat(f.inventory.get("web1").nic("nic0").orElseThrow().mac()).isEqualTo(pending);
            assertThat(store.history().query(null, null, "vm/web1/", null, null, 100))
                    .extracting(e -> e.action()).contains("nic-mac-assigned", "nic-address-reserved", "nic-mac-pending", "nic-mac-changed");
        }
    }
}
