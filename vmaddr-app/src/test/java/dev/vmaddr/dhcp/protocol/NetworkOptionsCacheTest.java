package dev.vmaddr.dhcp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.dhcp.codec.DhcpOption;
import dev.vmaddr.dhcp.codec.OptionCodes;
import dev.vmaddr.model.NetworkSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cache per protocol instance, empty slots that match nothing, and a changed network that misses. */
class NetworkOptionsCacheTest {
    private static NetworkSpec net(String name, Duration leaseTime) {
        return NetworkSpec.builder(name, Ipv4Prefix.parse("198.18.0.0/24")).gateway(Ipv4Address.parse("198.18.0.1"))
                .leaseTime(leaseTime).pools(List.of(Ipv4Range.parse("198.18.0.10-198.18.0.20"))).build();
    }

    @Test
    void aNetworksOptionsAreBuiltOnceAndAChangedNetworkGetsItsOwn() {
        NetworkOptions.Cache cache = new NetworkOptions.Cache();
        NetworkSpec lan = net("lan", Duration.ofHours(1));
        NetworkOptions first = cache.of(lan);
        assertThat(first.net()).isSameAs(lan);
        assertThat(cache.of(lan)).isSameAs(first);

        NetworkSpec changed = net("lan", Duration.ofHours(2));
        NetworkOptions options = cache.of(changed);
        assertThat(options.net()).isSameAs(changed);
        assertThat(options.leaseTime()).isNotEqualTo(first.leaseTime());
        assertThat(new NetworkOptions.Cache().of(lan)).isNotSameAs(first).isEqualTo(first);
    }

    @Test
    void serverIdsAreKeptPerAddressEvenWhenTheirSlotsCollide() {
        NetworkOptions.Cache cache = new NetworkOptions.Cache();
        // 64 addresses on 16 slots: every slot is taken over several times
        for (int round = 0; round < 2; round++) {
            for (int i = 1; i <= 64; i++) {
                Ipv4Address address = Ipv4Address.parse("198.18.0." + i);
                DhcpOption option = cache.serverId(address);
                assertThat(option.code()).isEqualTo(OptionCodes.SERVER_ID);
                assertThat(option.data().toByteArray()).containsExactly(address.toInetAddress().getAddress());
                assertThat(cache.serverId(address)).isSameAs(option);
            }
        }
    }
}
