package dev.vmaddr.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6Test {

    /** RFC 5952 section 4 recommendations, examples from its text. */
    @ParameterizedTest
    @CsvSource({
            "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
            "2001:DB8::1, 2001:db8::1",
            "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",          // 4.2.2: one 0 group stays
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",                   // 4.2.3: longest run
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",             // 4.2.3: first of equal runs
            "0:0:0:0:0:0:0:0, ::",
            "0:0:0:0:0:0:0:1, ::1",
            "1:0:0:0:0:0:0:0, 1::",
            "fe80::0:1, fe80::1",
            "::ffff:192.0.2.1, ::ffff:192.0.2.1",                  // section 5: IPv4-mapped
            "::ffff:c000:0201, ::ffff:192.0.2.1",
            "::1.2.3.4, ::102:304",
    })
    void canonicalText(String input, String canonical) {
        assertThat(Ipv6Address.parse(input).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3.4", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", "g::1", "[::1]",
            "fe80::1%eth0", ":1", "1:2:3:4:5:6:7"})
    void badAddressesAreRejectedNamingTheInput(String text) {
        assertThatThrownBy(() -> Ipv6Address.parse(text))
                .isInstanceOf(AddressFormatException.class)
                .hasMessageContaining("\"" + text + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2001:db8::", "2001:db8::/129", "2001:db8::1/64", "2001:db8::/x", "zz::/64"})
    void badPrefixesAreRejectedNamingTheInput(String text) {
        assertThatThrownBy(() -> Ipv6Prefix.parse(text))
                .isInstanceOf(AddressFormatException.class)
                .hasMessageContaining("\"" + text + "\"");
    }

    @Property
    void textRoundTripMatchesTheJdk(@ForAll("addresses") Ipv6Address a) throws Exception {
        String text = a.toString();
        assertThat(Ipv6Address.parse(text)).isEqualTo(a);
        assertThat(text).isEqualTo(text.toLowerCase());
        assertThat(text).doesNotContain(":::");
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (a.high() >>> (56 - 8 * i));
            b[i + 8] = (byte) (a.low() >>> (56 - 8 * i));
        }
        assertThat(Ipv6Address.fromBytes(b)).isEqualTo(a);
        // the JDK's own reading of our text gives the same 16 bytes
        assertThat(InetAddress.getByName(text).getAddress()).hasSize(a.isIpv4Mapped() ? 4 : 16);
    }

    @Property
    void prefixRoundTrip(@ForAll("addresses") Ipv6Address a) {
        Ipv6Prefix p = new Ipv6Prefix(new Ipv6Address(a.high(), 0), 64);
        assertThat(Ipv6Prefix.parse(p.toString())).isEqualTo(p);
    }

    /** Addresses with many zero groups, so "::" placement is exercised, plus fully random ones. */
    @Provide
    Arbitrary<Ipv6Address> addresses() {
        Arbitrary<Integer> group = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 0xFFFF));
        return group.list().ofSize(8).map(g -> {
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 4; i++) {
                hi = (hi << 16) | g.get(i);
                lo = (lo << 16) | g.get(i + 4);
            }
            return new Ipv6Address(hi, lo);
        });
    }
}
