package dev.vmaddr.vm.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.nad.NadExporter;
import dev.vmaddr.nad.NadLinter;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import dev.vmaddr.vm.VmState;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VmExportTest {
    @TempDir
    Path tmp;

    static final Instant T = Instant.parse("2025-06-14T09:43:25Z");

    static NetworkSpec lan0() {
        return NetworkSpec.builder("lan0", Ipv4Prefix.parse("198.18.0.0/24")).gateway(Ipv4Address.parse("198.18.0.1"))
                .dns(List.of(Ipv4Address.parse("198.18.0.53"), Ipv4Address.parse("198.18.0.54")))
                .domain("lab.example").mtu(1500).bridge("br-lan0").vlan(100)
                .ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:1::/64")).release(ReleasePolicy.ON_DELETE)
                .pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.199")))
                .exclude(List.of(Ipv4Range.parse("198.18.0.150-198.18.0.150")))
                .reservations(List.of(
                        new Reservation(MacAddress.parse("02:18:aa:00:00:50"), null, Ipv4Address.parse("198.18.0.50"), "db1"),
                        new Reservation(MacAddress.parse("52:54:00:00:00:11"), null, Ipv4Address.parse("198.18.0.101"), "web1"),
                        new Reservation(null, ClientId.parse("01525400000099"), Ipv4Address.parse("198.18.0.60"), null)))
                .build();
    }

    static NetworkSpec lan1() {
        return NetworkSpec.of("lan1", Ipv4Prefix.parse("198.18.1.0/24"), Ipv4Address.parse("198.18.1.1"),
                List.of(Ipv4Range.parse("198.18.1.100-198.18.1.150")));
    }

    static final Map<String, NetworkSpec> NETWORKS = Map.of("lan0", lan0(), "lan1", withBridge(lan1(), "br-lan1"));
    static final Function<String, NetworkSpec> LOOKUP = NETWORKS::get;

    static NetworkSpec withBridge(NetworkSpec s, String bridge) {
        return s.toBuilder().bridge(bridge).build();
    }

    static Vm web1() {
        return new Vm("web1", "hv1", VmState.RUNNING, List.of(
                new Nic("nic0", "lan0", MacAddress.parse("52:54:00:00:00:11"), MacAddress.parse("52:54:00:00:00:22"),
                        Ipv4Address.parse("198.18.0.101"), null),
                new Nic("nic1", "lan1", MacAddress.parse("52:54:00:00:00:12"), null, Ipv4Address.parse("198.18.1.100"), null)),
                null, T, T);
    }

    static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static String xpath(Document d, String expr) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(expr, d);
    }

    @Test
    void libvirtInterfacesAreAValidDomainPart() throws Exception {
        String xml = LibvirtExport.domainInterfaces(web1(), LOOKUP);
        VirtXmlValidate.assertValid(tmp, VirtXmlValidate.inDomain(xml), "domain");

        Document d = parse(xml);
        assertThat(xpath(d, "count(/devices/interface[@type='bridge'])")).isEqualTo("2");
        assertThat(xpath(d, "/devices/interface[1]/mac/@address")).isEqualTo("52:54:00:00:00:11");
        assertThat(xpath(d, "/devices/interface[1]/source/@bridge")).isEqualTo("br-lan0");
        assertThat(xpath(d, "/devices/interface[1]/model/@type")).isEqualTo("virtio");
        assertThat(xpath(d, "/devices/interface[1]/vlan/tag/@id")).isEqualTo("100");
        assertThat(xpath(d, "/devices/interface[1]/mtu/@size")).isEqualTo("1500");
        assertThat(xpath(d, "/devices/interface[2]/source/@bridge")).isEqualTo("br-lan1");
        assertThat(xpath(d, "count(/devices/interface[2]/vlan)")).isEqualTo("0");
        assertThat(xml).contains("pending MAC 52:54:00:00:00:22");
    }

    @Test
    void libvirtNetworkIsValidAndListsEveryMacReservation() throws Exception {
        String xml = LibvirtExport.network(lan0(), LibvirtExport.NetworkMode.NAT);
        VirtXmlValidate.assertValid(tmp, xml, "network");
        VirtXmlValidate.assertDefines(tmp, List.of(xml), List.of());

        Document d = parse(xml);
        assertThat(xpath(d, "/network/name")).isEqualTo("lan0");
        assertThat(xpath(d, "/network/forward/@mode")).isEqualTo("nat");
        assertThat(xpath(d, "/network/bridge/@name")).isEqualTo("br-lan0");
        assertThat(xpath(d, "/network/ip[not(@family)]/@address")).isEqualTo("198.18.0.1");
        assertThat(xpath(d, "/network/ip[not(@family)]/@netmask")).isEqualTo("255.255.255.0");
        NodeList ranges = (NodeList) XPathFactory.newInstance().newXPath().evaluate("/network/ip/dhcp/range", d, XPathConstants.NODESET);
        assertThat(ranges.getLength()).isEqualTo(2);
        assertThat(xpath(d, "/network/ip/dhcp/range[1]/@end")).isEqualTo("198.18.0.149");
        assertThat(xpath(d, "/network/ip/dhcp/range[2]/@start")).isEqualTo("198.18.0.151");
        assertThat(xpath(d, "/network/ip/dhcp/host[@mac='02:18:aa:00:00:50']/@ip")).isEqualTo("198.18.0.50");
        assertThat(xpath(d, "/network/ip/dhcp/host[@mac='02:18:aa:00:00:50']/@name")).isEqualTo("db1");
        assertThat(xpath(d, "/network/ip/dhcp/host[@mac='52:54:00:00:00:11']/@ip")).isEqualTo("198.18.0.101");
        assertThat(xpath(d, "count(/network/ip/dhcp/host)")).isEqualTo("2");
        assertThat(xpath(d, "/network/ip[@family='ipv6']/@address")).isEqualTo("2001:db8:0:1::1");
        assertThat(xml).contains("client-id 01525400000099");
    }

    @Test
    void libvirtNetworkWithoutExtrasIsValidToo() throws Exception {
        for (LibvirtExport.NetworkMode mode : List.of(LibvirtExport.NetworkMode.NAT, LibvirtExport.NetworkMode.ISOLATED)) {
            String xml = LibvirtExport.network(lan1(), mode);
            VirtXmlValidate.assertValid(tmp, xml, "network");
            VirtXmlValidate.assertDefines(tmp, List.of(xml), List.of());
        }
        assertThat(LibvirtExport.network(lan1(), LibvirtExport.NetworkMode.ISOLATED)).doesNotContain("<forward");
    }

    /**
     * Issue 15 item 4: a bridge vmaddr serves is exported as a plain bridge for libvirt; a {@code <dhcp>}
     * there would make libvirt start a second DHCP server beside vmaddr.
     */
    @Test
    void libvirtNetworkForABridgeVmaddrServesHasNoDhcp() throws Exception {
        String xml = LibvirtExport.network(lan0(), LibvirtExport.NetworkMode.BRIDGE);
        VirtXmlValidate.assertValid(tmp, xml, "network");
        String domain = VirtXmlValidate.inDomain(LibvirtExport.domainInterfaces(web1(), LOOKUP));
        VirtXmlValidate.assertDefines(tmp, List.of(xml), List.of(domain));

        Document d = parse(xml);
        assertThat(xpath(d, "/network/forward/@mode")).isEqualTo("bridge");
        assertThat(xpath(d, "/network/bridge/@name")).isEqualTo("br-lan0");
        assertThat(xpath(d, "count(//dhcp)")).isEqualTo("0");
        assertThat(xpath(d, "count(//ip)")).isEqualTo("0");
        assertThatThrownBy(() -> LibvirtExport.network(lan1(), LibvirtExport.NetworkMode.BRIDGE))
                .isInstanceOf(ExportException.class).hasMessageContaining("mode=nat");
    }

    /**
     * Issue 15 item 4: a NIC on a network without a bridge joins the libvirt network of that name (the one
     * the network export defines), and libvirt's test driver defines both.
     */
    @Test
    void libvirtInterfaceOnANetworkWithoutBridgeNamesTheLibvirtNetwork() throws Exception {
        Function<String, NetworkSpec> noBridge = n -> n.equals("lan1") ? lan1() : lan0();
        String devices = LibvirtExport.domainInterfaces(web1(), noBridge);
        Document d = parse(devices);
        assertThat(xpath(d, "/devices/interface[2]/@type")).isEqualTo("network");
        assertThat(xpath(d, "/devices/interface[2]/source/@network")).isEqualTo("lan1");
        assertThat(xpath(d, "count(/devices/interface[2]/source/@bridge)")).isEqualTo("0");
        assertThat(xpath(d, "/devices/interface[1]/@type")).isEqualTo("bridge");
        String domain = VirtXmlValidate.inDomain(devices);
        VirtXmlValidate.assertValid(tmp, domain, "domain");
        String lan1Net = LibvirtExport.network(lan1(), LibvirtExport.NetworkMode.NAT);
        String out = VirtXmlValidate.assertDefines(tmp, List.of(lan1Net), List.of(domain));
        assertThat(out).contains("lan1");
    }

    /** The export's default job follows who serves the network's DHCP; {@code mode=} overrides it. */
    @Test
    void libvirtNetworkModeDefaultsToBridgeWhereVmaddrServesDhcp() {
        dev.vmaddr.config.VmaddrConfig.Dhcp dhcp = new dev.vmaddr.config.VmaddrConfig.Dhcp(List.of("br-lan0"),
                dev.vmaddr.config.VmaddrConfig.Probe.DEFAULT, true, null, null);
        assertThat(dhcp.serves(lan0())).isTrue();
        assertThat(dhcp.serves(withBridge(lan1(), "br-lan1"))).isFalse();
        var writer = dev.vmaddr.api.ExportRoutes.libvirtWriter(dhcp::serves);
        assertThat(writer.write(lan0(), Map.of())).contains("<forward mode=\"bridge\"/>").doesNotContain("<dhcp");
        assertThat(writer.write(lan0(), Map.of("mode", "nat"))).contains("<forward mode=\"nat\"/>", "<dhcp>");
        assertThat(writer.write(withBridge(lan1(), "br-lan1"), Map.of())).contains("<forward mode=\"nat\"/>", "<dhcp>");
        assertThatThrownBy(() -> writer.write(lan0(), Map.of("mode", "route"))).hasMessageContaining("bridge, nat or isolated");
    }

    @Test
    void qemuArgumentsNameBridgeMacAndModelPerNic() {
        String args = QemuExport.nicArguments(web1(), LOOKUP);
        assertThat(args).isEqualTo("""
                -nic bridge,br=br-lan0,mac=52:54:00:00:00:11,model=virtio-net-pci \\
                -nic bridge,br=br-lan1,mac=52:54:00:00:00:12,model=virtio-net-pci
                """);
    }

    @Test
    void kubevirtSnippetParsesAndCarriesMacsAndMultusNetworks() throws Exception {
        String yaml = KubevirtExport.virtualMachine(web1(), LOOKUP, n -> "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: " + n.name() + "\n");
        List<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll();
        assertThat(docs).hasSize(3);
        JsonNode vm = docs.getFirst();
        assertThat(vm.at("/kind").asText()).isEqualTo("VirtualMachine");
        JsonNode itf = vm.at("/spec/template/spec/domain/devices/interfaces");
        assertThat(itf.get(0).get("name").asText()).isEqualTo("nic0");
        assertThat(itf.get(0).get("macAddress").asText()).isEqualTo("52:54:00:00:00:11");
        assertThat(itf.get(0).get("bridge").isObject()).isTrue();
        JsonNode nets = vm.at("/spec/template/spec/networks");
        assertThat(nets.get(1).at("/multus/networkName").asText()).isEqualTo("lan1");
        assertThat(docs.get(1).at("/metadata/name").asText()).isEqualTo("lan0");
        assertThat(docs.get(2).at("/kind").asText()).isEqualTo("NetworkAttachmentDefinition");
    }

    @Test
    void kubevirtExportCarriesTheNadsItNeedsBridgeOrMacvlanWithTuning() throws Exception {
        NadExporter nads = new NadExporter();
        Vm vm = new Vm("kv1", "node1", VmState.RUNNING,
                List.of(new Nic("nic0", "lan1", MacAddress.parse("52:54:00:00:00:31"), null, Ipv4Address.parse("198.18.1.100"), null)),
                null, T, T);

        String bridge = KubevirtExport.virtualMachine(vm, LOOKUP, nads::export);
        List<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(bridge).readAll();
        assertThat(docs).hasSize(2);
        JsonNode cni = new ObjectMapper().readTree(docs.get(1).at("/spec/config").asText());
        assertThat(cni.get("type").asText()).isEqualTo("bridge");
        assertThat(cni.get("bridge").asText()).isEqualTo("br-lan1");

        String macvlan = KubevirtExport.virtualMachine(vm, LOOKUP,
                n -> nads.export(n, new NadExporter.Options(NadExporter.CniType.MACVLAN, null)));
        docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(macvlan).readAll();
        JsonNode plugins = new ObjectMapper().readTree(docs.get(1).at("/spec/config").asText()).get("plugins");
        // Seed 001: without tuning and capabilities.mac the macvlan NIC would ignore the requested MAC.
        assertThat(plugins.get(0).get("type").asText()).isEqualTo("macvlan");
        assertThat(plugins.get(0).at("/capabilities/mac").asBoolean()).isTrue();
        assertThat(plugins.get(1).get("type").asText()).isEqualTo("tuning");
        assertThat(plugins.get(1).at("/capabilities/mac").asBoolean()).isTrue();
        String nadYaml = macvlan.substring(macvlan.indexOf("---\n") + 4);
        assertThat(new NadLinter().lint(nadYaml, List.of(LOOKUP.apply("lan1"))).hasErrors()).isFalse();
        assertThat(docs.getFirst().at("/spec/template/spec/domain/devices/interfaces/0/macAddress").asText())
                .isEqualTo("52:54:00:00:00:31");
    }

    @Test
    void exportsRefuseWhatTheyCannotExpress() {
        Vm released = new Vm("eph", "hv1", VmState.STOPPED, List.of(new Nic("nic0", "lan0", null, null, null, null)), null, T, T);
        assertThatThrownBy(() -> QemuExport.nicArguments(released, LOOKUP)).isInstanceOf(ExportException.class)
                .hasMessageContaining("holds no MAC");
        Vm onLan1 = new Vm("x", "hv1", VmState.STOPPED,
                List.of(new Nic("nic0", "lan1", MacAddress.parse("52:54:00:00:00:01"), null, null, null)), null, T, T);
        assertThatThrownBy(() -> QemuExport.nicArguments(onLan1, n -> lan1())).isInstanceOf(ExportException.class)
                .hasMessageContaining("no bridge");
    }
}
