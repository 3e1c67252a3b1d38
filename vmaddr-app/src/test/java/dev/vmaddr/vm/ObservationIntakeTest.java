package dev.vmaddr.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacState;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ObservationIntake}: guest reports and DHCP bindings become NIC observations, strangers unknown MACs. */
class ObservationIntakeTest {
    private final VmFixture f = new VmFixture();
    private final VmInventory inv = f.inventory;
    private final VmDrift drift = new VmDrift(inv, (subject, finding) -> { });
    private final GuestReports reports = new GuestReports(f.clock);
    private final ObjectMapper json = new ObjectMapper();

    private List<String> kinds(String vm) {
        return drift.findings(vm).stream().map(d -> d.kind().wireName()).toList();
    }

    @Test
    void macChangedInsideTheGuestIsDriftWithBothFixes() throws Exception {
        Vm vm = inv.create("sles", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        Nic nic = vm.nic("nic0").orElseThrow();
        inv.start("sles");
        inv.report("sles", f.qga("[" + VmFixture.qgaIface("eth0", nic.mac(), nic.ip().toString()) + "]"));
        assertThat(kinds("sles")).isEmpty();

        // Seed 000: sudo ip link set eth0 address 00:11:22:33:44:55; the guest agent reports it.
        f.clock.advance(Duration.ofMinutes(5));
        inv.report("sles", f.qga("[" + VmFixture.qgaIface("eth0", "00:11:22:33:44:55", nic.ip().toString()) + "]"));
        List<DriftFinding> found = drift.findings("sles");
        assertThat(found).extracting(DriftFinding::kind).containsExactly(DriftKind.MAC_CHANGED_IN_GUEST);
        DriftFinding d = found.getFirst();
        assertThat(d.nic()).isEqualTo("nic0");
        assertThat(d.expected()).isEqualTo(nic.mac().toString());
        assertThat(d.observed()).isEqualTo("00:11:22:33:44:55");
        assertThat(d.fix()).contains("PUT /api/v1/vms/sles/nics/nic0/mac", "ip link set dev eth0 address " + nic.mac());
        assertThat(inv.get("sles").nic("nic0").orElseThrow().observed().at()).isEqualTo(f.clock.instant());

        // Accepting the guest's MAC works although the pool saw it on the wire.
        inv.setMac("sles", "nic0", MacAddress.parse("00:11:22:33:44:55"));
        inv.restart("sles");
        inv.report("sles", f.qga("[" + VmFixture.qgaIface("eth0", "00:11:22:33:44:55", nic.ip().toString()) + "]"));
        assertThat(kinds("sles")).isEmpty();
    }

    @Test
    void kubevirtReportsMatchByNameAndShowMissingNicsUnknownMacsAndWrongAddresses() throws Exception {
        Vm vm = inv.create("kv1", "node1", List.of(new NicRequest("nic0", "t1", null), new NicRequest("nic1", "t1", null)));
        Nic nic0 = vm.nic("nic0").orElseThrow();
        inv.start("kv1");
        String body = "{\"source\":\"kubevirt\",\"interfaces\":[{\"name\":\"nic0\",\"interfaceName\":\"eth0\",\"mac\":\""
                + nic0.mac() + "\",\"ipAddress\":\"198.18.4.99\",\"ipAddresses\":[\"198.18.4.99\"]},"
                + "{\"interfaceName\":\"eth5\",\"mac\":\"02:00:00:00:00:05\",\"ipAddresses\":[]}]}";
        inv.report("kv1", reports.parse(json.readTree(body)));

        List<DriftFinding> found = drift.findings("kv1");
        assertThat(found).extracting(d -> d.nic() + ":" + d.kind().wireName())
                .containsExactlyInAnyOrder("nic0:ip-mismatch", "nic1:nic-missing", "null:unknown-mac");
        DriftFinding ip = found.stream().filter(d -> d.kind() == DriftKind.IP_MISMATCH).findFirst().orElseThrow();
        assertThat(ip.expected()).isEqualTo(nic0.ip().toString());
        assertThat(ip.observed()).isEqualTo("198.18.4.99");
        assertThat(f.macState(MacAddress.parse("02:00:00:00:00:05"))).isEqualTo(MacState.OBSERVED);
    }

    @Test
    void dhcpLeasesAreObservationsOrUnknownMacsOfTheNetwork() {
        Vm vm = inv.create("dh", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        Nic nic = vm.nic("nic0").orElseThrow();
        assertThat(inv.recordDhcpLease("t1", nic.mac(), nic.ip())).isPresent();
        Observation o = inv.get("dh").nic("nic0").orElseThrow().observed();
        assertThat(o.source()).isEqualTo("dhcp");
        assertThat(o.ips()).containsExactly(nic.ip().toString());
        assertThat(kinds("dh")).isEmpty();

        java.time.Instant first = o.at();
        f.clock.advance(Duration.ofMinutes(1));
        inv.recordDhcpLease("t1", nic.mac(), nic.ip()); // a renewal
        assertThat(inv.get("dh").nic("nic0").orElseThrow().observed().at()).isEqualTo(first);
        assertThat(inv.recordDhcpLease("t2", nic.mac(), VmFixture.ip("198.18.5.77"))).as("same MAC on another network").isEmpty();

        MacAddress stranger = MacAddress.parse("02:aa:00:00:00:01");
        assertThat(inv.recordDhcpLease("t1", stranger, VmFixture.ip("198.18.4.240"))).isEmpty();
        List<DriftFinding> net = drift.networkFindings("t1");
        assertThat(net).extracting(DriftFinding::kind).containsExactly(DriftKind.UNKNOWN_MAC);
        assertThat(drift.networkFindings("t2")).hasSize(1);
        assertThat(net.getFirst().observed()).isEqualTo("02:aa:00:00:00:01 leased 198.18.4.240");
        assertThat(f.reopen().unknownMacs("t1")).hasSize(1);

        // the stranger's MAC given to a NIC is not unknown any more, not even after a restart
        inv.create("adopt", "hv1", List.of(new NicRequest("nic0", "t1", stranger)));
        assertThat(drift.networkFindings("t1")).extracting(DriftFinding::kind).doesNotContain(DriftKind.UNKNOWN_MAC);
        assertThat(f.reopen().unknownMacs("t1")).isEmpty();
    }
}
