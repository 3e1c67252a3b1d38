package dev.vmaddr.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4Test {

    @Test
    void parsesDottedQuad() {
        assertThat(Ipv4Address.parse("198.18.0.1").value()).isEqualTo(0xC6120001);
        assertThat(Ipv4Address.parse("0.0.0.0")).isEqualTo(Ipv4Address.ANY);
        assertThat(Ipv4Address.parse("255.255.255.255")).isEqualTo(Ipv4Address.BROADCAST);
        assertThat(Ipv4Address.parse(" 10.0.0.1 ").toString()).isEqualTo("10.0.0.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "256.1.1.1", "01.2.3.4",
            "1.2.3.4 5", "a.b.c.d", "1.2.3.-4", "1.2.3.0004", "1.2.3.4/24", "::1", "1,2,3,4"})
    void badAddressesAreRejectedNamingTheInput(String text) {
        assertThatThrownBy(() -> Ipv4Address.parse(text))
                .isInstanceOf(AddressFormatException.class)
                .hasMessageContaining("\"" + text + "\"");
    }

    @Test
    void unsignedOrderAndArithmetic() {
        Ipv4Address high = Ipv4Address.parse("200.0.0.1");
        Ipv4Address low = Ipv4Address.parse("10.0.0.1");
        assertThat(high.compareTo(low)).isPositive();
        assertThat(high.unsigned()).isEqualTo(0xC8000001L);
        assertThat(Ipv4Address.parse("10.0.0.255").plus(1)).isEqualTo(Ipv4Address.parse("10.0.1.0"));
    }

    @Test
    void prefixes() {
        Ipv4Prefix p = Ipv4Prefix.parse("198.18.0.0/24");
        assertThat(p.netmask().toString()).isEqualTo("255.255.255.0");
        assertThat(p.broadcast().toString()).isEqualTo("198.18.0.255");
        assertThat(p.size()).isEqualTo(256);
        assertThat(p.contains(Ipv4Address.parse("198.18.0.77"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("198.18.1.0"))).isFalse();
        assertThat(p.isNetworkOrBroadcast(Ipv4Address.parse("198.18.0.0"))).isTrue();
        assertThat(p.isNetworkOrBroadcast(Ipv4Address.parse("198.18.0.255"))).isTrue();
        assertThat(p.isNetworkOrBroadcast(Ipv4Address.parse("198.18.0.1"))).isFalse();
        assertThat(Ipv4Prefix.parse("198.18.0.0/31").isNetworkOrBroadcast(Ipv4Address.parse("198.18.0.0"))).isFalse();
        assertThat(p.overlaps(Ipv4Prefix.parse("198.18.0.128/25"))).isTrue();
        assertThat(p.overlaps(Ipv4Prefix.parse("198.18.0.0/16"))).isTrue();
        assertThat(p.overlaps(Ipv4Prefix.parse("198.18.1.0/24"))).isFalse();
        assertThat(Ipv4Prefix.parse("0.0.0.0/0").size()).isEqualTo(1L << 32);
        assertThat(Ipv4Prefix.parse("0.0.0.0/0").contains(Ipv4Address.BROADCAST)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.18.0.0", "198.18.0.0/", "198.18.0.0/33", "198.18.0.0/-1", "198.18.0.0/+24",
            "198.18.0.5/24", "198.18.0/24", "198.18.0.0/x"})
    void badPrefixesAreRejectedNamingTheInput(String text) {
        assertThatThrownBy(() -> Ipv4Prefix.parse(text))
                .isInstanceOf(AddressFormatException.class)
                .hasMessageContaining("\"" + text + "\"");
    }

    @Test
    void hostBitsSuggestTheNetwork() {
        assertThatThrownBy(() -> Ipv4Prefix.parse("198.18.0.5/24")).hasMessageContaining("198.18.0.0/24");
    }

    @Test
    void ranges() {
        assertThat(Ipv4Range.parse("198.18.0.10-198.18.0.20").size()).isEqualTo(11);
        assertThat(Ipv4Range.parse("198.18.0.10").size()).isEqualTo(1);
        assertThat(Ipv4Range.parse("198.18.0.0/30").toString()).isEqualTo("198.18.0.0-198.18.0.3");
        Ipv4Range r = Ipv4Range.parse("198.18.0.10-198.18.0.20");
        assertThat(r.contains(Ipv4Address.parse("198.18.0.20"))).isTrue();
        assertThat(r.contains(Ipv4Address.parse("198.18.0.21"))).isFalse();
        assertThat(r.overlaps(Ipv4Range.parse("198.18.0.20-198.18.0.30"))).isTrue();
        assertThat(r.overlaps(Ipv4Range.parse("198.18.0.21-198.18.0.30"))).isFalse();
        assertThat(Ipv4Prefix.parse("198.18.0.0/24").contains(r)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.18.0.20-198.18.0.10", "198.18.0.10-", "-198.18.0.10", "198.18.0.10-x",
            "198.18.0.0/33", "nonsense"})
    void badRangesAreRejectedNamingTheInput(String text) {
        assertThatThrownBy(() -> Ipv4Range.parse(text))
                .isInstanceOf(AddressFormatException.class)
                .hasMessageContaining("\"" + text + "\"");
    }

    @Property
    void addressTextRoundTrip(@ForAll int value) {
        Ipv4Address a = new Ipv4Address(value);
        assertThat(Ipv4Address.parse(a.toString())).isEqualTo(a);
        assertThat(Ipv4Address.fromBytes(a.toBytes(), 0)).isEqualTo(a);
        assertThat(Ipv4Address.of(a.toInetAddress())).isEqualTo(a);
    }

    @Property
    void prefixTextRoundTripAndContainment(@ForAll int value, @ForAll @IntRange(min = 0, max = 32) int length) {
        int mask = length == 0 ? 0 : -1 << (32 - length);
        Ipv4Prefix p = new Ipv4Prefix(new Ipv4Address(value & mask), length);
        assertThat(Ipv4Prefix.parse(p.toString())).isEqualTo(p);
        assertThat(p.contains(new Ipv4Address(value))).isTrue();
        assertThat(p.contains(p.broadcast())).isTrue();
        assertThat(p.broadcast().unsigned() - p.network().unsigned() + 1).isEqualTo(p.size());
    }

    @Property
    void rangeTextRoundTrip(@ForAll int a, @ForAll int b) {
        Ipv4Address x = new Ipv4Address(a);
        Ipv4Address y = new Ipv4Address(b);
        Ipv4Range r = x.compareTo(y) <= 0 ? new Ipv4Range(x, y) : new Ipv4Range(y, x);
        assertThat(Ipv4Range.parse(r.toString())).isEqualTo(r);
    }
}
