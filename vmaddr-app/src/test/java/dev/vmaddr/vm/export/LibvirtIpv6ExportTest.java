package dev.vmaddr.vm.export;

import static dev.vmaddr.vm.export.VmExportTest.parse;
import static dev.vmaddr.vm.export.VmExportTest.xpath;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.NetworkSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The libvirt {@code <network>} export with DHCPv6: checked by libvirt's schema (virt-xml-validate)
 * and defined by libvirt's own parser (virsh on the test driver), like {@link VmExportTest}.
 */
class LibvirtIpv6ExportTest {
    @TempDir
    Path tmp;

    private static NetworkSpec stateful(Ipv6Mode mode) {
        return VmExportTest.lan0().toBuilder().ipv6Mode(mode)
                .ipv6Pools(List.of(Ipv6Range.parse("2001:db8:0:1::1000-2001:db8:0:1::10ff"),
                        Ipv6Range.parse("2001:db8:0:1::100-2001:db8:0:1::1ff")))
                .ipv6Reservations(List.of(
                        new Ipv6Reservation(null, Duid.parse("00:01:00:01:2c:5e:11:22:52:54:00:00:00:11"),
                                Ipv6Address.parse("2001:db8:0:1::50"), "web1"),
                        new Ipv6Reservation(MacAddress.parse("02:18:aa:00:00:50"), null,
                                Ipv6Address.parse("2001:db8:0:1::51"), "db1")))
                .build();
    }

    @Test
    void aStatefulNetworkCarriesItsDhcpv6PoolsAndDuidHostsAndLibvirtAcceptsIt() throws Exception {
        for (LibvirtExport.NetworkMode mode : List.of(LibvirtExport.NetworkMode.NAT, LibvirtExport.NetworkMode.ISOLATED)) {
            String xml = LibvirtExport.network(stateful(Ipv6Mode.STATEFUL), mode);
            VirtXmlValidate.assertValid(tmp, xml, "network");
            VirtXmlValidate.assertDefines(tmp, List.of(xml), List.of());

            Document d = parse(xml);
            String v6 = "/network/ip[@family='ipv6']";
            assertThat(xpath(d, v6 + "/@address")).isEqualTo("2001:db8:0:1::1");
            assertThat(xpath(d, v6 + "/@prefix")).isEqualTo("64");
            assertThat(xpath(d, "count(" + v6 + "/dhcp/range)")).isEqualTo("2");
            assertThat(xpath(d, v6 + "/dhcp/range[1]/@start")).isEqualTo("2001:db8:0:1::100");
            assertThat(xpath(d, v6 + "/dhcp/range[1]/@end")).isEqualTo("2001:db8:0:1::1ff");
            assertThat(xpath(d, v6 + "/dhcp/range[2]/@start")).isEqualTo("2001:db8:0:1::1000");
            assertThat(xpath(d, "count(" + v6 + "/dhcp/host)")).isEqualTo("1");
            assertThat(xpath(d, v6 + "/dhcp/host/@id")).isEqualTo("00:01:00:01:2c:5e:11:22:52:54:00:00:00:11");
            assertThat(xpath(d, v6 + "/dhcp/host/@ip")).isEqualTo("2001:db8:0:1::50");
            assertThat(xpath(d, v6 + "/dhcp/host/@name")).isEqualTo("web1");
            assertThat(xml).contains("2001:db8:0:1::51 for MAC 02:18:aa:00:00:50 left out");
            // The IPv4 side is unchanged: its own dhcp with the MAC hosts.
            assertThat(xpath(d, "count(/network/ip[not(@family)]/dhcp/host)")).isEqualTo("2");
        }
    }

    @Test
    void bothModeSaysLibvirtLosesSlaacAndSlaacModeHasNoDhcpv6() throws Exception {
        String both = LibvirtExport.network(stateful(Ipv6Mode.BOTH), LibvirtExport.NetworkMode.NAT);
        VirtXmlValidate.assertValid(tmp, both, "network");
        assertThat(both).contains("no SLAAC ones");
        assertThat(xpath(parse(both), "count(/network/ip[@family='ipv6']/dhcp/range)")).isEqualTo("2");

        String slaac = LibvirtExport.network(stateful(Ipv6Mode.SLAAC), LibvirtExport.NetworkMode.NAT);
        VirtXmlValidate.assertValid(tmp, slaac, "network");
        assertThat(xpath(parse(slaac), "count(/network/ip[@family='ipv6']/dhcp)")).isEqualTo("0");
    }

    @Test
    void aBridgeVmaddrServesStillGetsNoAddressesFromLibvirt() throws Exception {
        String xml = LibvirtExport.network(stateful(Ipv6Mode.STATEFUL), LibvirtExport.NetworkMode.BRIDGE);
        VirtXmlValidate.assertValid(tmp, xml, "network");
        assertThat(xml).doesNotContain("<ip", "<dhcp");
    }
}
