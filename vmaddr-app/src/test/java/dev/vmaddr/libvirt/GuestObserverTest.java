package dev.vmaddr.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.GuestInterface;
import dev.vmaddr.vm.GuestReport;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import dev.vmaddr.vm.VmState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** QEMU's query-rx-filter answer (as libvirt 9.0 / QEMU 7.2 print it) turned into a report of the VM's NICs. */
class GuestObserverTest {
    private static final Instant AT = Instant.parse("2026-12-06T21:00:00Z");
    /** Trimmed from a real answer (LibvirtNetnsTest's guest); the second NIC's guest set its own MAC. */
    private static final String ANSWER = """
            {"return":[{"promiscuous":false,"name":"net0","main-mac":"52:54:00:45:d5:af","unicast":"normal",
            "multicast-table":["33:33:ff:45:d5:af"],"broadcast-allowed":false},
            {"name":"ua-data","main-mac":"52:54:00:aa:bb:cc"},
            {"name":"hostdev0","main-mac":"52:54:00:00:00:99"}],"id":"libvirt-412"}
            """;

    @Test
    void eachEntryBecomesItsNicByAliasAndMacWithTheMacTheGuestProgrammed() {
        Domain d = new Domain("web1", "u", Domain.RUNNING, List.of(
                new DomainInterface(MacAddress.parse("52:54:00:45:d5:af"), "bridge", "br0", null, "net0", "virtio", 1),
                new DomainInterface(MacAddress.parse("52:54:00:00:00:02"), "bridge", "br0", null, "ua-data", "virtio", 2)), false);
        Vm vm = new Vm("web1", null, VmState.RUNNING, List.of(
                new Nic("nic0", "t1", MacAddress.parse("52:54:00:45:d5:af"), null, null, null),
                new Nic("data", "t1", MacAddress.parse("52:54:00:00:00:02"), null, null, null)), null, AT, AT);

        GuestReport r = GuestObserver.rxFilterReport(d, vm, ANSWER, AT);

        assertThat(r.source()).isEqualTo("qemu-rx-filter");
        assertThat(r.at()).isEqualTo(AT);
        assertThat(r.interfaces()).containsExactly(
                new GuestInterface("nic0", null, MacAddress.parse("52:54:00:45:d5:af"), List.of()),
                new GuestInterface("data", null, MacAddress.parse("52:54:00:aa:bb:cc"), List.of()));
        assertThatThrownBy(() -> GuestObserver.rxFilterReport(d, vm, "{\"error\":{}}", AT)).isInstanceOf(LibvirtException.class);
    }
}
