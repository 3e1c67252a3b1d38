package dev.vmaddr.connectivity;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.RouteSpec;
import dev.vmaddr.testing.netns.BridgedHost;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import static org.assertj.core.api.Assertions.assertThat;

/** Each test builds exactly one fault (or none) in its own namespaces and expects exactly that reason. */
@Execution(ExecutionMode.CONCURRENT)
class ConnectivityCheckerNetnsTest {
    static final Instant NOW = Instant.parse("2025-06-14T16:34:06Z");
    static final Ipv4Prefix CIDR = Ipv4Prefix.parse("198.18.0.0/24");
    static final Ipv4Address GW = Ipv4Address.parse("198.18.0.1");
    static final RouteSpec MANUAL = new RouteSpec(RouteSpec.Mode.MANUAL, CIDR, GW);

    static ConnectivityChecker checker(BridgedHost lab) {
        return new ConnectivityChecker(new NetworkProbe(lab.hostRunner(), new Random(), "vmt-probe-"),
                Clock.fixed(NOW, ZoneOffset.UTC), new ConnectivityChecker.Options(Duration.ofMillis(1500), 2, 2));
    }

    static NetworkSpec network(String bridge, RouteSpec route, Ipv4Prefix cidr) {
        return NetworkSpec.builder("lan0", cidr).gateway(GW).bridge(bridge).route(route).build();
    }

    @Test
    void healthyManualNetworkIsActive() {
        try (BridgedHost lab = BridgedHost.create()) {
            lab.peer("198.18.0.1/24");
            NetworkStatus s = checker(lab).check(network("br0", MANUAL, CIDR));
            assertThat(s.status()).as(s.toString()).isEqualTo(NetworkStatus.Status.Active);
            assertThat(s.reason()).isNull();
            assertThat(s.mode()).isEqualTo(NetworkStatus.Mode.MANUAL);
            assertThat(s.cidr()).isEqualTo(CIDR);
            assertThat(s.gateway()).isEqualTo(GW);
            assertThat(s.checkedAt()).isEqualTo(NOW);
        }
    }

    @Test
    void healthyAutoNetworkLearnsCidrAndGatewayByDhcp() {
        try (BridgedHost lab = BridgedHost.create()) {
            String gw = lab.peer("198.18.0.1/24");
            lab.dnsmasq(gw, "198.18.0.100,198.18.0.150,255.255.255.0,2m", "198.18.0.1");
            NetworkStatus s = checker(lab).check(network("br0", RouteSpec.AUTO, CIDR));
            assertThat(s.status()).as(s.toString()).isEqualTo(NetworkStatus.Status.Active);
            assertThat(s.mode()).isEqualTo(NetworkStatus.Mode.AUTO);
            assertThat(s.cidr()).isEqualTo(CIDR);
            assertThat(s.gateway()).isEqualTo(GW);
        }
    }

    /** Issue 15 item 8: nothing to check from is Unknown with the reason, never Inactive. */
    @Test
    void noInterfaceOnThisHostIsUnknownNotInactive() {
        try (BridgedHost lab = BridgedHost.create()) {
            NetworkStatus s = checker(lab).check(network("br-missing", MANUAL, CIDR));
            assertThat(s.reason()).as(s.toString()).isEqualTo("no interface");
            assertThat(s.status()).isEqualTo(NetworkStatus.Status.Unknown);
            assertThat(s.detail()).contains("br-missing");
            NetworkStatus ipamOnly = checker(lab).check(network(null, MANUAL, CIDR));
            assertThat(ipamOnly.status()).as(ipamOnly.toString()).isEqualTo(NetworkStatus.Status.Unknown);
            assertThat(ipamOnly.reason()).isEqualTo("no interface");
            assertThat(ConnectivityMetrics.value(ipamOnly)).isNaN();
        }
    }

    @Test
    void interfaceDown() {
        try (BridgedHost lab = BridgedHost.create()) {
            lab.peer("198.18.0.1/24");
            lab.sh(lab.host, "ip", "link", "set", "br0", "down");
            assertThat(checker(lab).check(network("br0", MANUAL, CIDR)).reason()).isEqualTo("interface down");
        }
    }

    /** Options as served: dnsmasq pings an address for ~3 s before its first OFFER of it. */
    static ConnectivityChecker realWindowChecker(BridgedHost lab) {
        return new ConnectivityChecker(new NetworkProbe(lab.hostRunner(), new Random(), "vmt-probe-"),
                Clock.fixed(NOW, ZoneOffset.UTC), ConnectivityChecker.Options.DEFAULT);
    }

    /**
     * Issue 15 item 2: libvirt's set-up, dnsmasq on the hypervisor's bridge (pinging before it offers);
     * auto mode must learn the CIDR and gateway from it.
     */
    @Test
    void autoModeLearnsFromDnsmasqOnTheBridgeAsLibvirtRunsIt() throws Exception {
        try (BridgedHost lab = BridgedHost.create()) {
            java.nio.file.Path dnsmasq = lab.dnsmasqOnBridge("198.18.0.1/24", "198.18.0.100,198.18.0.150,255.255.255.0,2m");
            NetworkStatus s = realWindowChecker(lab).check(network("br0", RouteSpec.AUTO, CIDR));
            assertThat(s.status()).as(s + "\n" + java.nio.file.Files.readString(dnsmasq.resolve("log")))
                    .isEqualTo(NetworkStatus.Status.Active);
            assertThat(s.cidr()).isEqualTo(CIDR);
            assertThat(s.gateway()).isEqualTo(GW);
            // The probe sets BROADCAST (RFC 2131 4.1): a probe interface without an address cannot take the
            // unicast OFFER dnsmasq sends otherwise.
            String log = java.nio.file.Files.readString(dnsmasq.resolve("log"));
            assertThat(log).contains("broadcast response");
            // Issue 15 item 6: what the probe was offered goes back (RELEASE from the offered address).
            assertThat(log).containsPattern("DHCPRELEASE\\(br0\\) " + s.cidr().toString().replace(".0/24", "."));
        }
    }

    /** Issue 15 item 2: the same against Kea as the LAN's server. */
    @Test
    void autoModeLearnsFromKea() throws Exception {
        try (BridgedHost lab = BridgedHost.create()) {
            String gw = lab.peer("198.18.0.1/24");
            java.nio.file.Path kea = lab.kea(gw, "198.18.0.0/24", "198.18.0.100 - 198.18.0.150", "198.18.0.1");
            NetworkStatus s = realWindowChecker(lab).check(network("br0", RouteSpec.AUTO, CIDR));
            assertThat(s.status()).as(s + "\n" + java.nio.file.Files.readString(kea.resolve("log")))
                    .isEqualTo(NetworkStatus.Status.Active);
            assertThat(s.cidr()).isEqualTo(CIDR);
            assertThat(s.gateway()).isEqualTo(GW);
        }
    }

    @Test
    void noDhcpOffer() {
        try (BridgedHost lab = BridgedHost.create()) {
            lab.peer("198.18.0.1/24");
            assertThat(checker(lab).check(network("br0", RouteSpec.AUTO, CIDR)).reason()).isEqualTo("no DHCP offer");
        }
    }

    @Test
    void learnedCidrDiffersFromConfig() {
        try (BridgedHost lab = BridgedHost.create()) {
            String gw = lab.peer("198.18.0.1/23");
            lab.dnsmasq(gw, "198.18.1.100,198.18.1.150,255.255.254.0,2m", "198.18.0.1");
            NetworkStatus s = checker(lab).check(network("br0", RouteSpec.AUTO, CIDR));
            assertThat(s.reason()).as(s.toString()).isEqualTo("learned CIDR differs from config");
            assertThat(s.cidr()).hasToString("198.18.0.0/23");
        }
    }

    @Test
    void gatewaySilentToArp() {
        try (BridgedHost lab = BridgedHost.create()) {
            lab.peer("198.18.0.2/24"); // someone, but not the gateway
            assertThat(checker(lab).check(network("br0", MANUAL, CIDR)).reason()).isEqualTo("gateway silent to ARP");
        }
    }

    @Test
    void gatewaySilentToIcmp() {
        try (BridgedHost lab = BridgedHost.create()) {
            String gw = lab.peer("198.18.0.1/24");
            lab.sh(gw, "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1");
            assertThat(checker(lab).check(network("br0", MANUAL, CIDR)).reason()).isEqualTo("gateway silent to ICMP");
        }
    }
}
