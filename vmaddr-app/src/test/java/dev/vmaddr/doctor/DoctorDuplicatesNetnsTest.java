package dev.vmaddr.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.testing.netns.BridgedHost;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 15 item 5a: two VMs on one bridge answering ARP for the same address. The doctor runs inside the
 * lab host namespace and asks from a probe port on br0; the two "VMs" are peer namespaces holding the same
 * address with different MACs (nodad, as a guest with a static address would).
 */
@Execution(ExecutionMode.CONCURRENT)
class DoctorDuplicatesNetnsTest {

    @Test
    void twoHostsOnTheBridgeWithOneAddressAreFoundByTheWholeCidrScan() {
        try (BridgedHost lab = BridgedHost.create()) {
            DoctorNetnsTest.gateway(lab);
            lab.peer("198.18.0.30/24", "02:18:00:00:00:31");
            lab.peer("198.18.0.30/24", "02:18:00:00:00:32");
            DoctorReport r = DoctorNetnsTest.doctor(lab, DoctorNetnsTest.LAN0, o -> new DoctorOptions(o.netns(),
                    o.vmaddrServed(), o.natNetworks(), o.inventory(), o.probes(), o.dhcpWindow(), true));
            assertThat(DoctorNetnsTest.problems(r)).as(r.toJson()).containsExactly("duplicate-ip");
            assertThat(r.findings()).filteredOn(f -> f.check().equals("duplicate-ip")).singleElement().satisfies(f -> {
                assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
                assertThat(f.evidence()).contains("198.18.0.30", "02:18:00:00:00:31", "02:18:00:00:00:32");
                assertThat(f.fix()).contains("bridge fdb show br br0", "02:18:00:00:00:31", "ip addr del 198.18.0.30/24");
            });
        }
    }

    @Test
    void aReservedAddressHeldByTwoHostsIsFoundWithoutTheCidrScan() {
        try (BridgedHost lab = BridgedHost.create()) {
            DoctorNetnsTest.gateway(lab);
            lab.peer("198.18.0.40/24", "02:18:aa:00:00:40");
            lab.peer("198.18.0.40/24", "02:18:00:00:00:41");
            NetworkSpec lan0 = DoctorNetnsTest.LAN0;
            NetworkSpec reserved = lan0.toBuilder()
                    .reservations(List.of(new Reservation(MacAddress.parse("02:18:aa:00:00:40"), null,
                            Ipv4Address.parse("198.18.0.40"), "db1")))
                    .build();
            DoctorReport r = DoctorNetnsTest.doctor(lab, reserved, o -> o); // scanCidr false: known addresses only
            assertThat(DoctorNetnsTest.problems(r)).as(r.toJson()).containsExactly("duplicate-ip");
            assertThat(r.findings().getFirst().evidence()).contains("198.18.0.40", "02:18:aa:00:00:40", "02:18:00:00:00:41",
                    "reserved for 02:18:aa:00:00:40");
        }
    }
}
