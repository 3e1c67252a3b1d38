package dev.vmaddr.vm;

import dev.vmaddr.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class GuestReportsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-14T09:43:25Z"));
    private final GuestReports reports = new GuestReports(clock);
    private final ObjectMapper json = new ObjectMapper();

    /** A {@code guest-network-get-interfaces} "return" list in the agent's documented shape (loopback, scoped link-local). */
    private static final String QGA = """
            {"source":"qemu-guest-agent","interfaces":[
              {"name":"lo","ip-addresses":[{"ip-address-type":"ipv4","ip-address":"127.0.0.1","prefix":8},
                {"ip-address-type":"ipv6","ip-address":"::1","prefix":128}],"hardware-address":"00:00:00:00:00:00",
                "statistics":{"tx-packets":0,"rx-packets":0}},
              {"name":"enp1s0","ip-addresses":[{"ip-address-type":"ipv4","ip-address":"198.18.0.10","prefix":24},
                {"ip-address-type":"ipv6","ip-address":"2001:DB8:0:1:5054:FF:FE12:3456","prefix":64},
                {"ip-address-type":"ipv6","ip-address":"fe80::5054:ff:fe12:3456%enp1s0","prefix":64}],
                "hardware-address":"52:54:00:12:34:56"}]}
            """;

    @Test
    void readsTheGuestAgentReplyWithCanonicalAddresses() throws Exception {
        GuestReport r = reports.parse(json.readTree(QGA));
        assertThat(r.source()).isEqualTo("qemu-guest-agent");
        assertThat(r.at()).isEqualTo(clock.instant());
        GuestInterface eth = r.interfaces().get(1);
        assertThat(eth.interfaceName()).isEqualTo("enp1s0");
        assertThat(eth.mac()).isEqualTo(MacAddress.parse("52:54:00:12:34:56"));
        assertThat(eth.ips()).containsExactly("198.18.0.10", "2001:db8:0:1:5054:ff:fe12:3456", "fe80::5054:ff:fe12:3456");
    }

    @Test
    void readsAKubevirtVmiStatusInterfacesList() throws Exception {
        GuestReport r = reports.parse(json.readTree("""
                {"source":"kubevirt","interfaces":[{"infoSource":"domain, guest-agent","interfaceName":"eth0",
                 "ipAddress":"198.18.0.11","ipAddresses":["198.18.0.11","fe80::1"],"mac":"52:54:00:AB:CD:EF",
                 "name":"nic0","queueCount":1}]}
                """));
        GuestInterface g = r.interfaces().getFirst();
        assertThat(g.name()).isEqualTo("nic0");
        assertThat(g.interfaceName()).isEqualTo("eth0");
        assertThat(g.mac().toString()).isEqualTo("52:54:00:ab:cd:ef");
        assertThat(g.ips()).containsExactly("198.18.0.11", "fe80::1");
    }

    @Test
    void badReportsNameTheField() {
        assertThatThrownBy(() -> reports.parse(json.readTree("{\"source\":\"libvirt\",\"interfaces\":[]}")))
                .isInstanceOf(VmException.class).hasMessageStartingWith("source:");
        assertThatThrownBy(() -> reports.parse(json.readTree("{\"source\":\"kubevirt\"}")))
                .isInstanceOf(VmException.class).hasMessageStartingWith("interfaces:");
        assertThatThrownBy(() -> reports.parse(json.readTree(
                "{\"source\":\"qemu-guest-agent\",\"interfaces\":[{\"name\":\"eth0\",\"hardware-address\":\"zz:54:00:00:00:01\"}]}")))
                .isInstanceOf(VmException.class).hasMessageStartingWith("interfaces[0].hardware-address:");
        assertThatThrownBy(() -> reports.parse(json.readTree(
                "{\"source\":\"qemu-guest-agent\",\"interfaces\":[{\"name\":\"eth0\",\"ip-addresses\":[{\"ip-address\":\"198.18.0.300\"}]}]}")))
                .isInstanceOf(VmException.class).hasMessageStartingWith("interfaces[0].ip-addresses[0].ip-address:");
        assertThatThrownBy(() -> reports.parse(json.readTree(
                "{\"source\":\"kubevirt\",\"interfaces\":[{\"name\":\"nic0\",\"ipAddresses\":\"198.18.0.1\"}]}")))
                .isInstanceOf(VmException.class).hasMessageStartingWith("interfaces[0].ipAddresses:");
    }
}
