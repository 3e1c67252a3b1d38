package dev.vmaddr.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"52:54:00:ab:cd:ef", "52-54-00-ab-cd-ef", "5254.00ab.cdef", "525400abcdef",
            "52:54:00:AB:CD:EF", "52-54-00-AB-cd-EF", "5254.00AB.CDEF", "525400ABCDEF", " 52:54:00:ab:cd:ef\n"})
    void everySpellingPrintsLowerCaseColonForm(String text) {
        assertThat(MacAddress.parse(text).toString()).isEqualTo("52:54:00:ab:cd:ef");
        assertThat(MacAddress.parse(text).value()).isEqualTo(0x525400abcdefL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "52:54:00:ab:cd", "52:54:00:ab:cd:ef:01", "52:54-00:ab:cd:ef", "52.54.00.ab.cd.ef",
            "5254:00ab:cdef", "52:54:00:ab:cd:eg", "52545400abcdefg", "525400abcde", "５２:54:00:ab:cd:ef",
            "52:54:00:ab:cd:e:"})
    void badInputIsRejectedNamingTheInput(String text) {
        assertThatThrownBy(() -> MacAddress.parse(text))
                .isInstanceOf(AddressFormatException.class)
                .hasMessageContaining("\"" + text + "\"")
                .hasMessageContaining("MAC address");
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> MacAddress.parse(null)).isInstanceOf(AddressFormatException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void unicastAndLocallyAdministeredBits() {
        assertThat(MacAddress.parse("52:54:00:00:00:01").isUnicast()).isTrue();
        assertThat(MacAddress.parse("52:54:00:00:00:01").isLocallyAdministered()).isTrue();
        assertThat(MacAddress.parse("01:00:5e:00:00:01").isUnicast()).isFalse();
        assertThat(MacAddress.parse("00:16:3e:00:00:01").isLocallyAdministered()).isFalse();
        assertThat(MacAddress.parse("02:00:00:00:00:01").isLocallyAdministered()).isTrue();
    }

    /** RFC 2464 section 4 (the Ethernet instance of RFC 4291 appendix A): 34-56-78-9A-BC-DE → 3656:78ff:fe9a:bcde. */
    @Test
    void eui64InterfaceIdOfTheRfcExample() {
        MacAddress mac = MacAddress.parse("34-56-78-9A-BC-DE");
        assertThat(mac.eui64InterfaceId()).isEqualTo(0x365678FFFE9ABCDEL);
    }

    /** RFC 4291 appendix A: universal "cccccc0gcccccccc..." becomes "cccccc1g...", ff:fe in the middle. */
    @Test
    void eui64InvertsTheUniversalLocalBitBothWays() {
        assertThat(MacAddress.parse("00:00:00:00:00:00").eui64InterfaceId()).isEqualTo(0x020000FFFE000000L);
        assertThat(MacAddress.parse("52:54:00:12:34:56").eui64InterfaceId()).isEqualTo(0x505400FFFE123456L);
    }

    @Test
    void slaacAddressInA64() {
        Ipv6Prefix p = Ipv6Prefix.parse("2001:db8:1:2::/64");
        assertThat(p.slaacAddress(MacAddress.parse("52:54:00:12:34:56")).toString())
                .isEqualTo("2001:db8:1:2:5054:ff:fe12:3456");
        assertThatThrownBy(() -> Ipv6Prefix.parse("2001:db8::/48").slaacAddress(MacAddress.parse("52:54:00:12:34:56")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("/64");
    }

    @Test
    void bytesRoundTrip() {
        MacAddress mac = MacAddress.parse("fe:dc:ba:98:76:54");
        assertThat(MacAddress.fromBytes(mac.toBytes(), 0)).isEqualTo(mac);
        assertThat(mac.octet(0)).isEqualTo(0xfe);
        assertThat(mac.octet(5)).isEqualTo(0x54);
    }

    @Property
    void textRoundTrip(@ForAll @LongRange(min = 0, max = 0xFFFF_FFFF_FFFFL) long value) {
        MacAddress mac = new MacAddress(value);
        String text = mac.toString();
        assertThat(text).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        assertThat(MacAddress.parse(text)).isEqualTo(mac);
        assertThat(MacAddress.parse(text.replace(':', '-').toUpperCase())).isEqualTo(mac);
        String plain = text.replace(":", "");
        assertThat(MacAddress.parse(plain)).isEqualTo(mac);
        assertThat(MacAddress.parse(plain.substring(0, 4) + "." + plain.substring(4, 8) + "." + plain.substring(8)))
                .isEqualTo(mac);
        assertThat(MacAddress.fromBytes(mac.toBytes(), 0)).isEqualTo(mac);
    }

    @Test
    void moreThan48BitsIsRejected() {
        assertThatThrownBy(() -> new MacAddress(1L << 48)).isInstanceOf(IllegalArgumentException.class);
    }
}
