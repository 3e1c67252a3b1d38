package dev.vmaddr.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.NetworkSpec;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaCodecTest {
    private static final NetworkSpec LAN = NetworkSpec.builder("lan0", Ipv4Prefix.parse("198.18.0.0/24"))
            .gateway(Ipv4Address.parse("198.18.0.1")).mtu(1400).ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:1::/64"))
            .ipv6Dns(List.of(Ipv6Address.parse("2001:db8::53"))).build();

    @Test
    void slaacNetworkAdvertisesAnAutonomousPrefixWithMtuAndRdnss() {
        byte[] wire = RaCodec.encode(RouterAdvertisement.of(LAN, MacAddress.parse("02:00:00:00:00:01")));
        // Header: type 134, code 0, checksum 0 (kernel), hop limit 64, O only, lifetime 1800, timers 0.
        assertThat(HexFormat.of().formatHex(wire, 0, 16)).isEqualTo("86000000" + "4040" + "0708" + "00000000" + "00000000");
        // Options in order: source LL (8), MTU (8), prefix (32), RDNSS (24).
        assertThat(wire).hasSize(16 + 8 + 8 + 32 + 24);
        assertThat(HexFormat.of().formatHex(wire, 16, 24)).isEqualTo("0101020000000001");
        assertThat(HexFormat.of().formatHex(wire, 24, 32)).isEqualTo("0501000000000578");
        assertThat(HexFormat.of().formatHex(wire, 32, 48)).isEqualTo("0304" + "40" + "c0" + "00015180" + "00003840" + "00000000");
        RouterAdvertisement back = RaCodec.decode(wire);
        assertThat(back).isEqualTo(RouterAdvertisement.of(LAN, MacAddress.parse("02:00:00:00:00:01")));
    }

    @Test
    void statefulNetworkSetsMAndClearsA() {
        RouterAdvertisement ra = RouterAdvertisement.of(LAN.toBuilder().ipv6Mode(Ipv6Mode.STATEFUL).mtu(null)
                .ipv6Dns(List.of()).build(), null);
        RouterAdvertisement back = RaCodec.decode(RaCodec.encode(ra));
        assertThat(back.managed()).isTrue();
        assertThat(back.other()).isTrue();
        assertThat(back.autonomous()).isFalse();
        assertThat(back.onLink()).isTrue();
        assertThat(back.mtu()).isNull();
        assertThat(back.dns()).isEmpty();
        assertThat(back.sourceMac()).isNull();
    }

    @Test
    void slaacWithoutIpv6DnsHasNeitherFlag() {
        RouterAdvertisement ra = RouterAdvertisement.of(LAN.toBuilder().ipv6Dns(List.of()).build(), null);
        assertThat(ra.managed()).isFalse();
        assertThat(ra.other()).isFalse();
        assertThat(ra.autonomous()).isTrue();
    }

    @Test
    void solicitationsAreRecognisedAndTruncatedOptionsRejected() {
        assertThat(RaCodec.isSolicitation(HexFormat.of().parseHex("8500000000000000"))).isTrue();
        assertThat(RaCodec.isSolicitation(HexFormat.of().parseHex("85010000"))).isFalse();
        assertThat(RaCodec.isSolicitation(HexFormat.of().parseHex("8700000000000000"))).isFalse();
        byte[] truncated = HexFormat.of().parseHex("86000000404007080000000000000000" + "0304");
        assertThatThrownBy(() -> RaCodec.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    }
}
