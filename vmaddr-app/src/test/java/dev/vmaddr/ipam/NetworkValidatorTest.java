package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkValidatorTest {
    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    static NetworkSpec spec(String name, String cidr, String gw, List<String> pools, List<String> exclude,
                            List<Reservation> res, Duration lease, Duration renew, Duration rebind, Integer vlan, Integer mtu) {
        return new NetworkSpec(name, Ipv4Prefix.parse(cidr), gw == null ? null : ip(gw), List.of(), null, mtu, "br0", vlan,
                null, null, lease, renew, rebind, pools.stream().map(Ipv4Range::parse).toList(),
                exclude.stream().map(Ipv4Range::parse).toList(), res, null, List.of(), List.of());
    }

    static List<String> fields(NetworkSpec s) {
        return NetworkValidator.validate(s).stream().map(FieldProblem::field).toList();
    }

    @Test
    void aGoodNetworkHasNoProblems() {
        NetworkSpec ok = spec("lab-1", "198.18.0.0/24", "198.18.0.1", List.of("198.18.0.10-198.18.0.99", "198.18.0.150-198.18.0.200"),
                List.of("198.18.0.20-198.18.0.29"), List.of(new Reservation(MacAddress.parse("52:54:00:00:00:01"), null,
                        ip("198.18.0.5"), "web")), Duration.ofHours(1), null, null, 100, 1500);
        assertThat(NetworkValidator.validate(ok)).isEmpty();
        assertThat(NetworkValidator.requireValid(ok)).isSameAs(ok);
    }

    @Test
    void gatewayOutsideOrNetworkOrBroadcast() {
        assertThat(fields(spec("a", "198.18.0.0/24", "198.18.1.1", List.of(), List.of(), List.of(), null, null, null, null, null)))
                .containsExactly("gateway");
        assertThat(NetworkValidator.validate(spec("a", "198.18.0.0/24", "198.18.0.0", List.of(), List.of(), List.of(), null, null, null, null, null)))
                .singleElement().extracting(FieldProblem::problem).asString().contains("network address");
        assertThat(NetworkValidator.validate(spec("a", "198.18.0.0/24", "198.18.0.255", List.of(), List.of(), List.of(), null, null, null, null, null)))
                .singleElement().extracting(FieldProblem::problem).asString().contains("broadcast");
    }

    @Test
    void poolsOutsideAndOverlapping() {
        assertThat(fields(spec("a", "198.18.0.0/24", null, List.of("198.18.0.10-198.18.0.20", "198.18.0.200-198.18.1.5",
                "198.18.0.15-198.18.0.30"), List.of("198.18.2.0/30"), List.of(), null, null, null, null, null)))
                .containsExactly("pools[1]", "pools[2]", "exclude[0]");
    }

    @Test
    void reservationsOutsideDuplicateIpOrMac() {
        MacAddress m = MacAddress.parse("52:54:00:00:00:01");
        List<Reservation> res = List.of(
                new Reservation(m, null, ip("198.18.0.5"), null),
                new Reservation(m, null, ip("198.18.0.6"), null),
                new Reservation(MacAddress.parse("52:54:00:00:00:02"), null, ip("198.18.0.5"), null),
                new Reservation(null, ClientId.parse("01:02"), ip("198.18.9.9"), null),
                new Reservation(MacAddress.parse("01:00:5e:00:00:01"), null, ip("198.18.0.1"), null));
        List<FieldProblem> problems = NetworkValidator.validate(spec("a", "198.18.0.0/24", "198.18.0.1", List.of(), List.of(), res,
                null, null, null, null, null));
        assertThat(problems).extracting(FieldProblem::field).containsExactly("reservations[1].mac", "reservations[2].ip",
                "reservations[3].ip", "reservations[4].ip", "reservations[4].mac");
        assertThat(problems.get(0).problem()).contains("reservations[0]");
    }

    @Test
    void timesMustBeOrdered() {
        assertThat(fields(spec("a", "198.18.0.0/24", null, List.of(), List.of(), List.of(), Duration.ofHours(1),
                Duration.ofMinutes(50), Duration.ofMinutes(40), null, null))).containsExactly("renewTime");
        assertThat(fields(spec("a", "198.18.0.0/24", null, List.of(), List.of(), List.of(), Duration.ofHours(1),
                null, Duration.ofHours(1), null, null))).containsExactly("rebindTime");
        assertThat(fields(spec("a", "198.18.0.0/24", null, List.of(), List.of(), List.of(), Duration.ZERO,
                null, null, null, null))).containsExactly("leaseTime");
    }

    @Test
    void vlanMtuNameBridge() {
        assertThat(fields(spec("a", "198.18.0.0/24", null, List.of(), List.of(), List.of(), null, null, null, 0, 67)))
                .containsExactly("vlan", "mtu");
        assertThat(fields(spec("a", "198.18.0.0/24", null, List.of(), List.of(), List.of(), null, null, null, 4095, 65536)))
                .containsExactly("vlan", "mtu");
        assertThat(fields(spec("a", "198.18.0.0/24", null, List.of(), List.of(), List.of(), null, null, null, 4094, 65535)))
                .isEmpty();
        for (String bad : List.of("", "-a", "Lab", "a_b", "a".repeat(64), "lab net")) {
            assertThat(fields(spec(bad, "198.18.0.0/24", null, List.of(), List.of(), List.of(), null, null, null, null, null)))
                    .as(bad).containsExactly("name");
        }
        assertThat(fields(spec("a".repeat(63), "198.18.0.0/24", null, List.of(), List.of(), List.of(), null, null, null, null, null)))
                .isEmpty();
        NetworkSpec s = spec("a", "198.18.0.0/24", null, List.of(), List.of(), List.of(), null, null, null, null, null);
        NetworkSpec badBridge = new NetworkSpec(s.name(), s.cidr(), null, List.of(), null, null, "a-very-long-bridge-name", null,
                Ipv6Prefix.parse("2001:db8::/48"), null, null, null, null, List.of(), List.of(), List.of(), null, List.of(), List.of());
        assertThat(fields(badBridge)).containsExactly("bridge", "ipv6Prefix");
    }

    @Test
    void acrossNetworks() {
        NetworkSpec a = spec("a", "198.18.0.0/24", null, List.of(), List.of(), List.of(), null, null, null, null, null);
        NetworkSpec b = spec("b", "198.18.0.0/16", null, List.of(), List.of(), List.of(), null, null, null, null, null);
        NetworkSpec a2 = spec("a", "198.19.0.0/24", null, List.of(), List.of(), List.of(), null, null, null, 5000, null);
        assertThat(NetworkValidator.validateAll(List.of(a, b, a2))).extracting(FieldProblem::field)
                .containsExactly("networks[1].cidr", "networks[2].vlan", "networks[2].name");
    }
}
