package dev.vmaddr.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.NetworkSpecJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The IPv6 keys of a network (PRODUCT.md "IPv6"): read, checked with file:line, written back, stored. */
class Ipv6ConfigTest {
    private static final String HEAD = "networks:\n  - name: a\n    cidr: 198.18.0.0/24\n";

    private static List<String> errors(String yaml) {
        try {
            ConfigLoader.parse("t.yaml", yaml);
        } catch (ConfigException e) {
            return e.lines();
        }
        throw new AssertionError("expected the config to be rejected");
    }

    @Test
    void ipv6KeysAreReadIntoTheNetworkAndRoundTripThroughTheStoreFormat() {
        VmaddrConfig c = ConfigLoader.parse("t.yaml", HEAD + """
                    dns: [198.18.0.53, "2001:db8:0:1::53"]
                    ipv6Prefix: 2001:db8:0:1::/64
                    ipv6Mode: both
                    ipv6Pools: ["2001:db8:0:1::100-2001:db8:0:1::1ff"]
                    reservations:
                      - { mac: "02:18:aa:00:00:50", ip: 198.18.0.50 }
                      - { duid: "00:03:00:01:02:18:00:00:07:02", ip: "2001:db8:0:1::52" }
                      - { mac: "02:18:00:00:07:03", ip: "2001:db8:0:1::53:1", hostname: v6 }
                """);
        NetworkSpec n = c.networks().getFirst();
        assertThat(n.dns()).hasSize(1);
        assertThat(n.ipv6Dns()).containsExactly(Ipv6Address.parse("2001:db8:0:1::53"));
        assertThat(n.ipv6Mode()).isEqualTo(Ipv6Mode.BOTH);
        assertThat(n.ipv6Pools()).containsExactly(Ipv6Range.parse("2001:db8:0:1::100-2001:db8:0:1::1ff"));
        assertThat(n.reservations()).hasSize(1);
        assertThat(n.ipv6Reservations()).hasSize(2);
        assertThat(n.ipv6Reservations().getFirst().duid()).isEqualTo(Duid.parse("0003000102180000 0702".replace(" ", "")));
        assertThat(NetworkSpecJson.read(NetworkSpecJson.write(n))).isEqualTo(n);
        assertThat(NetworkFields.toMap(n)).containsEntry("ipv6Mode", "both")
                .containsEntry("dns", List.of("198.18.0.53", "2001:db8:0:1::53"));
    }

    @Test
    void badModeNamesItsLine() {
        assertThat(errors(HEAD + "    ipv6Prefix: 2001:db8::/64\n    ipv6Mode: dhcp\n"))
                .singleElement().asString().startsWith("t.yaml:5: networks[0].ipv6Mode: ").contains("slaac, stateful or both");
    }

    @Test
    void statefulWithoutPrefixAndPoolOutsideThePrefixAreProblems() {
        assertThat(errors(HEAD + "    ipv6Mode: stateful\n")).singleElement().asString()
                .startsWith("t.yaml:4: networks[0].ipv6Mode: ").contains("needs an ipv6Prefix");
        assertThat(errors(HEAD + "    ipv6Prefix: 2001:db8::/64\n    ipv6Pools: [\"2001:db8:1::1-2001:db8:1::9\"]\n"))
                .singleElement().asString().startsWith("t.yaml:5: networks[0].ipv6Pools[0]: ").contains("not inside");
    }

    @Test
    void poolSpanningTwo64sIsRejectedAtParse() {
        assertThat(errors(HEAD + "    ipv6Prefix: 2001:db8::/64\n    ipv6Pools: [\"2001:db8::1-2001:db8:0:1::9\"]\n"))
                .singleElement().asString().startsWith("t.yaml:5: networks[0].ipv6Pools[0]: ").contains("more than one /64");
    }

    @Test
    void ipv6ReservationNeedsMacOrDuid() {
        assertThat(errors(HEAD + "    ipv6Prefix: 2001:db8::/64\n    reservations:\n      - { ip: \"2001:db8::5\" }\n"))
                .singleElement().asString().contains("needs a mac or a duid");
    }
}
