package dev.vmaddr.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.MacAddress;
import org.junit.jupiter.api.Test;

/** Domain definitions as virsh dumpxml prints them (libvirt 9.0), and what is refused with its line. */
class DomainXmlTest {
    static final String RUNNING = """
            <domain type='qemu' id='3'>
              <name>web1</name>
              <uuid>0b5e4f4e-5d7c-4f0e-9a57-4e1c2d3b4a59</uuid>
              <metadata><name>not this one</name></metadata>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <interface type='bridge'>
                  <mac address='52:54:00:45:D5:AF'/>
                  <source bridge='br0'/>
                  <target dev='vnet0'/>
                  <model type='virtio'/>
                  <alias name='net0'/>
                </interface>
                <interface type='network'>
                  <mac address='52:54:00:00:00:02'/>
                  <source network='lan1' portid='x' bridge='virbr7'/>
                  <model type='e1000'/>
                  <alias name='ua-data'/>
                </interface>
                <channel type='unix'>
                  <source mode='bind' path='/run/libvirt/qemu/channel/3-web1/org.qemu.guest_agent.0'/>
                  <target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>
                </channel>
              </devices>
            </domain>
            """;

    @Test
    void readsNameUuidInterfacesInOrderAndTheAgentChannel() {
        Domain d = DomainXml.parse(RUNNING, "virsh dumpxml web1", Domain.RUNNING);

        assertThat(d.name()).isEqualTo("web1");
        assertThat(d.uuid()).isEqualTo("0b5e4f4e-5d7c-4f0e-9a57-4e1c2d3b4a59");
        assertThat(d.agentChannel()).isTrue();
        assertThat(d.active()).isTrue();
        assertThat(d.interfaces()).containsExactly(
                new DomainInterface(MacAddress.parse("52:54:00:45:d5:af"), "bridge", "br0", null, "net0", "virtio", 7),
                new DomainInterface(MacAddress.parse("52:54:00:00:00:02"), "network", "virbr7", "lan1", "ua-data", "e1000", 14));
        assertThat(d.interfaces().get(0).userAliasName()).isNull();
        assertThat(d.interfaces().get(1).userAliasName()).isEqualTo("data");
    }

    @Test
    void aDefinitionWithoutMacOrAgentIsFine() {
        Domain d = DomainXml.parse("<domain type='qemu'><name>a</name><devices><interface type='bridge'>"
                + "<source bridge='br0'/></interface></devices></domain>", "a.xml", Domain.SHUT_OFF);

        assertThat(d.interfaces()).singleElement().satisfies(i -> assertThat(i.mac()).isNull());
        assertThat(d.agentChannel()).isFalse();
        assertThat(d.active()).isFalse();
    }

    @Test
    void errorsNameTheFileAndLine() {
        assertThatThrownBy(() -> DomainXml.parse("<domain>\n<name>a</name>\n<devices>\n<interface type='bridge'>\n"
                + "<mac address='52:54:zz:00:00:01'/>\n</interface></devices></domain>", "a.xml", Domain.SHUT_OFF))
                .isInstanceOf(LibvirtException.class).hasMessageStartingWith("a.xml:5: <mac address='52:54:zz:00:00:01'>");
        assertThatThrownBy(() -> DomainXml.parse("<domain>\n<devices/>\n</domain>", "b.xml", Domain.SHUT_OFF))
                .hasMessage("b.xml:1: domain has no <name>");
        assertThatThrownBy(() -> DomainXml.parse("<network>\n<name>n</name></network>", "c.xml", Domain.SHUT_OFF))
                .hasMessageStartingWith("c.xml:1: expected <domain>, found <network>");
        assertThatThrownBy(() -> DomainXml.parse("<domain>\n<name>a</name>\n<devices><interface>\n</interface></devices></domain>",
                "d.xml", Domain.SHUT_OFF)).hasMessage("d.xml:3: <interface> without type");
        assertThatThrownBy(() -> DomainXml.parse("<domain><name>a</name>\n<devices>", "e.xml", Domain.SHUT_OFF))
                .hasMessageStartingWith("e.xml:2: ");
    }

    @Test
    void doctypesAndEntitiesAreRefused() {
        String xxe = "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n"
                + "<domain><name>&x;</name></domain>";
        assertThatThrownBy(() -> DomainXml.parse(xxe, "x.xml", Domain.SHUT_OFF)).isInstanceOf(LibvirtException.class)
                .hasMessageContaining("x.xml:2: ").hasMessageContaining("DOCTYPE");
    }

    @Test
    void thePendingMacReplacesTheInterfacesMacAndNothingElse() {
        String edited = DomainMacWriter.withMac(RUNNING, 1, MacAddress.parse("52:54:00:00:00:02"), MacAddress.parse("52:54:00:00:00:09"));

        Domain d = DomainXml.parse(edited, "edited", Domain.SHUT_OFF);
        assertThat(d.interfaces()).extracting(DomainInterface::mac)
                .containsExactly(MacAddress.parse("52:54:00:45:d5:af"), MacAddress.parse("52:54:00:00:00:09"));
        assertThat(d.uuid()).isEqualTo("0b5e4f4e-5d7c-4f0e-9a57-4e1c2d3b4a59");
        assertThatThrownBy(() -> DomainMacWriter.withMac(RUNNING, 0, MacAddress.parse("52:54:00:00:00:02"),
                MacAddress.parse("52:54:00:00:00:09"))).hasMessageContaining("not 52:54:00:00:00:02 any more");
    }
}
