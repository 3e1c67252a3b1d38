package dev.vmaddr.testing.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"198.18.0.1/24", "198.19.255.254/32", "198.18.0.0/15", "127.0.0.1", "127.5.0.1/8"})
    void acceptsBenchmarkingAndLoopback(String cidr) {
        assertThat(AddressPolicy.check(cidr)).isEqualTo(cidr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1/24", "192.168.1.1/24", "198.17.0.1/24", "198.20.0.1/24", "198.18.0.1/14",
            "127.0.0.1/7", "0.0.0.0/0", "198.18.0.256/24", "198.18.0.1/33", "fe80::1/64", "198.18.0.1 dev x"})
    void rejectsEverythingElse(String cidr) {
        assertThatThrownBy(() -> AddressPolicy.check(cidr)).isInstanceOf(IllegalArgumentException.class);
    }
}
