package dev.vmaddr.doctor;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.testing.netns.BridgedHost;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every doctor check against a lab host with exactly one fault, and the healthy lab with none. The lab
 * bridge br0 carries lan0 (198.18.0.0/24); the gateway 198.18.0.1 is a peer namespace (or, for NAT
 * networks, the lab host itself) and answers DHCP as the expected server.
 */
@Execution(ExecutionMode.CONCURRENT)
class DoctorNetnsTest {
    static final Ipv4Prefix CIDR = Ipv4Prefix.parse("198.18.0.0/24");

    static NetworkSpec lan0(Integer mtu, Integer vlan, String bridge) {
        return NetworkSpec.builder("lan0", CIDR).gateway(Ipv4Address.parse("198.18.0.1")).mtu(mtu).bridge(bridge)
                .vlan(vlan).build();
    }

    static final NetworkSpec LAN0 = lan0(1500, null, "br0");

    static DoctorReport doctor(BridgedHost lab, NetworkSpec n, UnaryOperator<DoctorOptions> opts) {
        // No whole-CIDR duplicate scan here (16 s per /24): DoctorDuplicatesNetnsTest covers it.
        DoctorOptions o = opts.apply(new DoctorOptions(lab.host, Set.of(), Set.of(), List.of(), true, Duration.ofMillis(1500), false));
        return new Doctor(BridgedHost.RUNNER, new Random(), "vmt-probe-").run(List.of(n), o);
    }

    /** The checks reported at warning or error level (info notes such as probe-skipped are left out). */
    static Set<String> problems(DoctorReport r) {
        return Set.copyOf(r.findings().stream().filter(f -> f.severity() != Finding.Severity.INFO).map(Finding::check).toList());
    }

    /** A healthy L2 network: gateway peer at .1 that also serves DHCP. */
    static String gateway(BridgedHost lab) {
        String gw = lab.peer("198.18.0.1/24");
        lab.dnsmasq(gw, "198.18.0.100,198.18.0.150,255.255.255.0,2m", "198.18.0.1");
        return gw;
    }

    /** A healthy NAT network: the lab host is the gateway, forwards and masquerades. */
    static void natHost(BridgedHost lab, boolean forward, boolean masquerade) {
        lab.sh(lab.host, "ip", "addr", "add", "198.18.0.1/24", "dev", "br0");
        lab.sh(lab.host, "sysctl", "-qw", "net.ipv4.ip_forward=" + (forward ? 1 : 0));
        if (masquerade) {
            lab.sh(lab.host, "nft", "add table ip nat; add chain ip nat post { type nat hook postrouting priority srcnat; };"
                    + " add rule ip nat post ip saddr 198.18.0.0/24 ip daddr != 198.18.0.0/24 masquerade");
        }
        lab.peer("198.18.0.20/24");
    }

    @Test
    void healthyNetworkHasNoFindings() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            DoctorReport r = doctor(lab, LAN0, o -> o);
            assertThat(r.findings()).isEmpty();
            assertThat(r.toJson()).isEqualTo("{\"findings\":[]}");
        }
    }

    @Test
    void healthyNatNetworkHasNoFindings() {
        try (BridgedHost lab = BridgedHost.create()) {
            natHost(lab, true, true);
            assertThat(doctor(lab, LAN0, o -> o).findings()).isEmpty();
        }
    }

    @Test
    void bridgeMissing() {
        try (BridgedHost lab = BridgedHost.create()) {
            DoctorReport r = doctor(lab, lan0(1500, null, "br-gone"), o -> o);
            assertThat(problems(r)).containsExactly("bridge-missing");
            assertThat(r.findings().getFirst().fix()).contains("ip link add name br-gone type bridge");
        }
    }

    @Test
    void bridgeDown() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            lab.sh(lab.host, "ip", "link", "set", "br0", "down");
            DoctorReport r = doctor(lab, LAN0, o -> o);
            assertThat(problems(r)).containsExactly("bridge-down");
            assertThat(r.toJson()).contains("\"severity\":\"error\"").contains("ip link set dev br0 up");
        }
    }

    @Test
    void portDown() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            lab.peer("198.18.0.30/24");
            lab.sh(lab.host, "ip", "link", "set", BridgedHost.port(2), "down");
            DoctorReport r = doctor(lab, LAN0, o -> o);
            assertThat(problems(r)).containsExactly("port-down");
            assertThat(r.findings().getFirst().fix()).isEqualTo("ip link set dev p2 up");
        }
    }

    @Test
    void stpWithForwardDelayThatEatsDhcp() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            lab.sh(lab.host, "ip", "link", "set", "br0", "type", "bridge", "forward_delay", "1500");
            lab.sh(lab.host, "ip", "link", "set", "br0", "type", "bridge", "stp_state", "1");
            DoctorReport r = doctor(lab, LAN0, o -> o);
            assertThat(problems(r)).containsExactly("stp-forward-delay");
            assertThat(r.findings().getFirst().evidence()).contains("forward_delay 15.0 s");
        }
    }

    @Test
    void mtuMismatchBetweenBridgeAndNetworkConfig() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            DoctorReport r = doctor(lab, lan0(9000, null, "br0"), o -> o);
            assertThat(problems(r)).containsExactly("mtu-mismatch");
            assertThat(r.findings().getFirst().fix()).contains("ip link set dev br0 mtu 9000");
        }
    }

    @Test
    void pathMtuToGatewayBelowTheNetworkMtu() {
        try (BridgedHost lab = BridgedHost.create()) {
            String gw = gateway(lab);
            lab.sh(gw, "ip", "link", "set", "eth0", "mtu", "1400"); // the far end takes no 1500-byte frames
            DoctorReport r = doctor(lab, LAN0, o -> o);
            assertThat(problems(r)).containsExactly("path-mtu");
            assertThat(r.findings().getFirst().evidence()).contains("1372 bytes does");
        }
    }

    @Test
    void vlanFilteringBridgeMissingTheNetworksVlan() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            // Some kernels (e.g. Firecracker guests) are built without bridge VLAN filtering; DoctorVlanTest
            // covers the check there from recorded command output.
            org.junit.jupiter.api.Assumptions.assumeTrue(BridgedHost.RUNNER.inNetns(lab.host)
                    .run("ip", "link", "set", "br0", "type", "bridge", "vlan_filtering", "1").ok(), "kernel has no bridge VLAN filtering");
            DoctorReport r = doctor(lab, lan0(1500, 100, "br0"), o -> o);
            assertThat(problems(r)).containsExactly("vlan-missing");
            assertThat(r.findings().getFirst().fix()).isEqualTo("bridge vlan add dev p1 vid 100");
        }
    }

    @Test
    void ipForwardingOffForNatNetwork() {
        try (BridgedHost lab = BridgedHost.create()) {
            natHost(lab, false, true);
            assertThat(problems(doctor(lab, LAN0, o -> o))).containsExactly("ip-forward");
        }
    }

    @Test
    void natNetworkWithoutMasquerade() {
        try (BridgedHost lab = BridgedHost.create()) {
            natHost(lab, true, false);
            assertThat(problems(doctor(lab, LAN0, o -> o))).containsExactly("nat-masquerade");
        }
    }

    @Test
    void strictRpFilter() {
        try (BridgedHost lab = BridgedHost.create()) {
            natHost(lab, true, true);
            lab.sh(lab.host, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1");
            assertThat(problems(doctor(lab, LAN0, o -> o))).containsExactly("rp-filter");
        }
    }

    @Test
    void firewallDropsDhcp() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            lab.sh(lab.host, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; };"
                    + " add rule inet f in udp dport 67 drop");
            DoctorReport r = doctor(lab, LAN0, o -> o);
            assertThat(problems(r)).containsExactly("firewall-dhcp");
            assertThat(r.findings().getFirst().fix()).startsWith("nft delete rule inet f in handle ");
        }
    }

    @Test
    void firewallDropsForwardingForNatNetwork() {
        try (BridgedHost lab = BridgedHost.create()) {
            natHost(lab, true, true);
            lab.sh(lab.host, "nft", "add table inet f; add chain inet f fw { type filter hook forward priority 0; policy drop; }");
            assertThat(problems(doctor(lab, LAN0, o -> o))).containsExactly("firewall-forward");
        }
    }

    @Test
    void gatewayUnreachable() {
        try (BridgedHost lab = BridgedHost.create()) {
            lab.peer("198.18.0.2/24");
            assertThat(problems(doctor(lab, LAN0, o -> o))).containsExactly("gateway-unreachable");
        }
    }

    @Test
    void duplicateIpForTheGateway() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            lab.peer("198.18.0.1/24");
            DoctorReport r = doctor(lab, LAN0, o -> o);
            assertThat(problems(r)).containsExactly("duplicate-ip");
            assertThat(r.findings().getFirst().evidence()).contains("2 MACs");
        }
    }

    @Test
    void duplicateMacBetweenInventoryAndObserved() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            lab.peer("198.18.0.10/24", "02:18:00:00:00:01");
            lab.peer("198.18.0.11/24", "02:18:00:00:00:01"); // vm2's NIC came up with vm1's MAC
            List<DoctorOptions.KnownNic> inventory = List.of(
                    new DoctorOptions.KnownNic("vm1/nic0", MacAddress.parse("02:18:00:00:00:01"), Ipv4Address.parse("198.18.0.10")),
                    new DoctorOptions.KnownNic("vm2/nic0", MacAddress.parse("02:18:00:00:00:02"), Ipv4Address.parse("198.18.0.11")));
            DoctorReport r = doctor(lab, LAN0, o -> new DoctorOptions(o.netns(), o.vmaddrServed(), o.natNetworks(), inventory,
                    o.probes(), o.dhcpWindow(), o.scanCidr()));
            assertThat(problems(r)).containsExactly("duplicate-mac");
            assertThat(r.findings().getFirst().evidence()).contains("vm1/nic0").contains("198.18.0.11");
        }
    }

    @Test
    void rogueDhcpServer() {
        try (BridgedHost lab = BridgedHost.create()) {
            gateway(lab);
            String rogue = lab.peer("198.18.0.66/24");
            lab.dnsmasq(rogue, "198.18.0.200,198.18.0.210,255.255.255.0,2m", "198.18.0.66");
            DoctorReport r = doctor(lab, LAN0, o -> o);
            assertThat(problems(r)).containsExactly("rogue-dhcp");
            assertThat(r.findings()).singleElement().satisfies(f -> {
                assertThat(f.evidence()).contains("198.18.0.66").contains("expected servers: [198.18.0.1]");
                assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
            });
        }
    }
}
