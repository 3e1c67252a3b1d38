package dev.vmaddr.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.testing.netns.BridgedHost;
import dev.vmaddr.testing.netns.Bridge;
import dev.vmaddr.testing.netns.NetnsLab;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 5b: strict rp_filter on the hypervisor drops relayed DHCP. Real ISC dhcrelay, a real
 * udhcpc client and the kernel's reverse-path check, all in lab namespaces (sysctls changed only there):
 *
 * <pre>
 *   c:eth0 ── brlan ── rl:rdown 198.18.5.1   dhcrelay -id rdown -iu rup 198.18.1.1
 *                      rl:rup   198.18.1.2 ── bru ── srv:eth0 198.18.1.1   (relayed DHCP arrives here)
 *                                                    srv:eth1 198.18.2.1   route 198.18.5.0/24 via 198.18.2.2
 * </pre>
 * The relay sources its packets from its VM-side address 198.18.5.1 (a route with {@code src}, as routers
 * do); the hypervisor routes back to that address through eth1, so on eth0 strict mode drops them.
 */
@RequiresRoot
class DoctorRelayRpFilterNetnsTest {
    static final NetworkSpec FAR = NetworkSpec.builder("far", Ipv4Prefix.parse("198.18.5.0/24"))
            .gateway(Ipv4Address.parse("198.18.5.1")).pools(List.of(Ipv4Range.parse("198.18.5.100-198.18.5.150")))
            .relays(List.of(Ipv4Address.parse("198.18.5.1"))).build();

    @Test
    void strictRpFilterOnTheInterfaceReceivingRelayedDhcpIsAnErrorWithTheDropCounter() {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns sw = lab.namespace("sw");
            Bridge upstream = lab.bridge(sw, "bru");
            Bridge lan = lab.bridge(sw, "brlan");
            Bridge other = lab.bridge(sw, "brx");
            Netns srv = lab.namespace("srv");
            lab.connect(upstream, srv, "eth0", "198.18.1.1/24");
            lab.connect(other, srv, "eth1", "198.18.2.1/24");
            srv.exec("ip", "route", "add", "198.18.5.0/24", "via", "198.18.2.2").orThrow();
            srv.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1").orThrow();
            Netns relay = lab.namespace("rl");
            lab.connect(upstream, relay, "rup", "198.18.1.2/24");
            lab.connect(lan, relay, "rdown", "198.18.5.1/24");
            relay.exec("ip", "route", "add", "198.18.1.1/32", "dev", "rup", "src", "198.18.5.1").orThrow();
            // Its ARP requests carry its upstream address (else the hypervisor's strict check would refuse the ARP too).
            relay.exec("sysctl", "-qw", "net.ipv4.conf.rup.arp_announce=2").orThrow();
            relay.start("dhcrelay", "-d", "-4", "-id", "rdown", "-iu", "rup", "198.18.1.1");
            Netns client = lab.namespace("c");
            lab.connect(lan, client, "eth0");
            var inSrv = BridgedHost.RUNNER.inNetns(srv.name());

            long before = ReversePathFilter.reversePathDrops(inSrv).orElseThrow();
            discover(client);
            assertThat(ReversePathFilter.reversePathDrops(inSrv).orElseThrow()).as("the kernel dropped the relayed DISCOVERs")
                    .isGreaterThan(before);

            DoctorReport r = doctor(srv);
            assertThat(DoctorNetnsTest.problems(r)).as(r.toJson()).containsExactly("rp-filter");
            Finding f = r.findings().getFirst();
            assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(f.network()).isEqualTo("far");
            assertThat(f.evidence()).contains("eth0 (all=1, eth0=0: effective 1)", "IPReversePathFilter = ");
            assertThat(f.fix()).startsWith("sysctl -w ").contains("net.ipv4.conf.eth0.rp_filter=2");

            // The fix, applied in the lab host: relayed DHCP is no longer dropped, and the doctor is quiet.
            srv.exec("sh", "-c", f.fix()).orThrow();
            long fixed = ReversePathFilter.reversePathDrops(inSrv).orElseThrow();
            discover(client);
            assertThat(ReversePathFilter.reversePathDrops(inSrv).orElseThrow()).isEqualTo(fixed);
            assertThat(DoctorNetnsTest.problems(doctor(srv))).isEmpty();
        }
    }

    static DoctorReport doctor(Netns srv) {
        return new Doctor(BridgedHost.RUNNER, new Random(), "vmt-probe-").run(List.of(FAR),
                new DoctorOptions(srv.name(), Set.of("far"), Set.of(), List.of(), true, Duration.ofMillis(1500), false));
    }

    /** Three DISCOVERs from a real client, one second apart; no server answers (none runs), udhcpc gives up. */
    static void discover(Netns client) {
        client.exec(Duration.ofSeconds(20), "udhcpc", "-f", "-n", "-q", "-i", "eth0", "-t", "3", "-T", "1", "-A", "1",
                "-s", "/bin/true");
    }
}
