package dev.vmaddr.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VmLifecycleTest {
    private final VmFixture f = new VmFixture();
    private final VmInventory inv = f.inventory;
    private final List<String> counted = new ArrayList<>();
    private final VmDrift drift = new VmDrift(inv, (subject, finding) -> counted.add(finding.kind().wireName()));
    private final GuestReports reports = new GuestReports(f.clock);
    private final ObjectMapper json = new ObjectMapper();

    private GuestReport qga(String listJson) throws Exception {
        return reports.parse(json.readTree("{\"source\":\"qemu-guest-agent\",\"interfaces\":" + listJson + "}"));
    }

    private static String qgaIface(String name, Object mac, String ip) {
        return "{\"name\":\"" + name + "\",\"hardware-address\":\"" + mac + "\",\"ip-addresses\":[{\"ip-address-type\":\"ipv4\","
                + "\"ip-address\":\"" + ip + "\",\"prefix\":24},{\"ip-address-type\":\"ipv6\",\"ip-address\":\"fe80::1%" + name
                + "\",\"prefix\":64}]}";
    }

    private static final String LO = "{\"name\":\"lo\",\"hardware-address\":\"00:00:00:00:00:00\",\"ip-addresses\":"
            + "[{\"ip-address-type\":\"ipv4\",\"ip-address\":\"127.0.0.1\",\"prefix\":8}]}";

    private List<String> kinds(String vm) {
        return drift.findings(vm).stream().map(d -> d.kind().wireName()).toList();
    }

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
        inv.report("web1", qga("[" + LO + "," + qgaIface("eth0", before.mac(), before.ip().toString()) + "]"));
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
        inv.report("web1", qga("[" + qgaIface("eth0", wanted, before.ip().toString()) + "]"));
        assertThat(kinds("web1")).isEmpty();
        assertThat(counted).containsExactly("pending-change");
        assertThat(f.store.history().query(null, wanted, "vm/web1/nic0", null, null, 100))
                .extracting(e -> e.action()).contains("nic-mac-pending", "nic-mac-changed");
    }

    @Test
    void macChangedInsideTheGuestIsDriftWithBothFixes() throws Exception {
        Vm vm = inv.create("sles", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        Nic nic = vm.nic("nic0").orElseThrow();
        inv.start("sles");
        inv.report("sles", qga("[" + qgaIface("eth0", nic.mac(), nic.ip().toString()) + "]"));
        assertThat(kinds("sles")).isEmpty();

        // Seed 000: sudo ip link set eth0 address 00:11:22:33:44:55; the guest agent reports it.
        f.clock.advance(Duration.ofMinutes(5));
        inv.report("sles", qga("[" + qgaIface("eth0", "00:11:22:33:44:55", nic.ip().toString()) + "]"));
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
        inv.report("sles", qga("[" + qgaIface("eth0", "00:11:22:33:44:55", nic.ip().toString()) + "]"));
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
        inv.report("dur", qga("[" + qgaIface("eth0", vm.nic("nic0").orElseThrow().mac(), "198.18.4.200") + "]"));

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

    @Test
    void driftListenerHearsEachAppearanceOnce() throws Exception {
        inv.create("cnt", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        inv.setMac("cnt", "nic0", MacAddress.parse("52:54:00:00:77:01"));
        drift.findings("cnt");
        drift.findings("cnt");
        assertThat(counted).containsExactly("pending-change");
        inv.start("cnt");
        drift.findings("cnt");
        inv.setMac("cnt", "nic0", MacAddress.parse("52:54:00:00:77:02"));
        drift.findings("cnt");
        assertThat(counted).containsExactly("pending-change", "pending-change");
    }
}
