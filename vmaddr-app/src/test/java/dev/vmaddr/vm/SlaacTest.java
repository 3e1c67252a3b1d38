package dev.vmaddr.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link VmViews}: the SLAAC address a NIC's MAC forms in its network's /64, derived on read. */
class SlaacTest {
    /**
     * RFC 4291 appendix A forms the modified EUI-64 identifier by inserting 0xFFFE between the
     * company id and the extension id and inverting the u bit; RFC 2464 section 4 works the example
     * through: MAC 34-56-78-9A-BC-DE has the interface identifier 36-56-78-FF-FE-9A-BC-DE.
     */
    @Test
    void nicShowsTheEui64SlaacAddressOfItsMacInTheNetworkPrefix() {
        VmFixture f = new VmFixture();
        f.inventory.create("v6", "hv1", List.of(new NicRequest("nic0", "t1", MacAddress.parse("34-56-78-9A-BC-DE"))));

        NicView nic = f.inventory.view(f.inventory.get("v6"), "nic0");
        assertThat(nic.ipv6Slaac().toString()).isEqualTo("2001:db8:0:1:3656:78ff:fe9a:bcde");
    }

    @Test
    void aLocallyAdministeredMacGetsItsUniversalLocalBitCleared() {
        VmFixture f = new VmFixture();
        f.inventory.create("v6", "hv1", List.of(new NicRequest("nic0", "t1", MacAddress.parse("52:54:00:12:34:56"))));
        assertThat(f.inventory.view(f.inventory.get("v6"), "nic0").ipv6Slaac().toString())
                .isEqualTo("2001:db8:0:1:5054:ff:fe12:3456");
    }

    @Test
    void networksWithoutAnIpv6PrefixShowNone() {
        VmFixture f = new VmFixture();
        f.inventory.create("v4", "hv1", List.of(new NicRequest("nic0", "t2", null)));
        assertThat(f.inventory.view(f.inventory.get("v4"), "nic0").ipv6Slaac()).isNull();
    }
}
