package dev.vmaddr.nad;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.RouteSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NadImportExportTest {
    private final NadImporter importer = new NadImporter();
    private final NadExporter exporter = new NadExporter();

    static String fixture(String name) throws IOException {
        try (InputStream in = NadImportExportTest.class.getResourceAsStream("/nad/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void importsHarvesterVlanNetworksInBothRouteModesAndWithoutAnnotation() throws IOException {
        List<NadImport> nads = importer.importAll(fixture("harvester-vlan2011.yaml"));
        assertThat(nads).extracting(NadImport::name).containsExactly("vlan2011", "vlan2012", "vlan2013");

        NadImport auto = nads.get(0);
        assertThat(auto.route()).isEqualTo(RouteSpec.AUTO);
        assertThat(auto.hostInterface()).isEqualTo("extra-br");
        assertThat(auto.vlan()).isEqualTo(2011);
        assertThat(auto.cidr()).isNull();
        assertThat(auto.network()).isEmpty();
        assertThat(auto.target().iface()).isEqualTo("extra-br");
        assertThat(auto.warnings()).isEmpty();

        NadImport manual = nads.get(1);
        assertThat(manual.route()).isEqualTo(new RouteSpec(RouteSpec.Mode.MANUAL, Ipv4Prefix.parse("10.115.24.0/21"),
                Ipv4Address.parse("10.115.31.254")));
        assertThat(manual.mtu()).isEqualTo(9000);
        NetworkSpec spec = manual.network().orElseThrow();
        assertThat(spec.cidr()).hasToString("10.115.24.0/21");
        assertThat(spec.gateway()).hasToString("10.115.31.254");
        assertThat(spec.bridge()).isEqualTo("extra-br");
        assertThat(spec.vlan()).isEqualTo(2012);

        NadImport none = nads.get(2);
        assertThat(none.route().mode()).isEqualTo(RouteSpec.Mode.AUTO);
        assertThat(none.target().route().mode()).isEqualTo(RouteSpec.Mode.AUTO);
        assertThat(none.target().network()).isEqualTo("vlan2013");
    }

    @Test
    void importsWhereaboutsRangeAsCidrGatewayPoolAndExclusions() throws IOException {
        NadImport nad = importer.importAll(fixture("macvlan-seed001.yaml")).getFirst();
        assertThat(nad.cniType()).isEqualTo("macvlan");
        assertThat(nad.hostInterface()).isEqualTo("eth1");
        assertThat(nad.cidr()).hasToString("198.18.8.0/24");
        assertThat(nad.gateway()).hasToString("198.18.8.1");
        assertThat(nad.pools()).containsExactly(Ipv4Range.parse("198.18.8.100-198.18.8.200"));
        assertThat(nad.exclude()).containsExactly(Ipv4Range.parse("198.18.8.150"));
    }

    @Test
    void importsHostLocalRangesInAChainAndStaticAddresses() {
        String yaml = """
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata: {name: hl}
                spec:
                  config: '{"cniVersion":"0.4.0","name":"hl","plugins":[{"type":"bridge","bridge":"br-hl","ipam":{"type":"host-local","ranges":[[{"subnet":"198.18.9.0/24","rangeStart":"198.18.9.10","rangeEnd":"198.18.9.20","gateway":"198.18.9.254"}]]}},{"type":"tuning"}]}'
                ---
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata: {name: st}
                spec:
                  config: '{"cniVersion":"0.3.1","type":"ipvlan","master":"eth2","ipam":{"type":"static","addresses":[{"address":"198.18.10.7/25","gateway":"198.18.10.1"}]}}'
                """;
        List<NadImport> nads = importer.importAll(yaml);
        assertThat(nads.get(0).cidr()).hasToString("198.18.9.0/24");
        assertThat(nads.get(0).gateway()).hasToString("198.18.9.254");
        assertThat(nads.get(0).pools()).containsExactly(Ipv4Range.parse("198.18.9.10-198.18.9.20"));
        assertThat(nads.get(1).cniType()).isEqualTo("ipvlan");
        assertThat(nads.get(1).cidr()).hasToString("198.18.10.0/25");
        assertThat(nads.get(1).gateway()).hasToString("198.18.10.1");
    }

    @Test
    void badInputNamesTheField() {
        String badJson = """
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata: {name: broken}
                spec:
                  config: '{"cniVersion":"0.3.1","type":"bridge",'
                """;
        assertThatThrownBy(() -> importer.importAll(badJson)).isInstanceOf(NadFormatException.class)
                .hasMessageStartingWith("broken spec.config: invalid JSON at line 1");
        String badRoute = """
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata:
                  name: r
                  annotations: {network.harvesterhci.io/route: '{"mode":"manual","cidr":"198.18.0.0/24"}'}
                spec: {config: '{"type":"bridge","bridge":"b"}'}
                """;
        assertThatThrownBy(() -> importer.importAll(badRoute)).hasMessageContaining("route]").hasMessageContaining("needs both");
        String badVlan = """
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata: {name: v}
                spec: {config: '{"type":"bridge","bridge":"b","vlan":5000}'}
                """;
        assertThatThrownBy(() -> importer.importAll(badVlan)).hasMessage("v spec.config.vlan: 5000 is outside 1-4094");
    }

    @Test
    void bridgeExportRoundTripsThroughImport() {
        NetworkSpec lan0 = NetworkSpec.builder("lan0", Ipv4Prefix.parse("198.18.0.0/24"))
                .gateway(Ipv4Address.parse("198.18.0.1")).mtu(1500).bridge("br-lan0").vlan(100)
                .pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.199")))
                .route(new RouteSpec(RouteSpec.Mode.MANUAL, Ipv4Prefix.parse("198.18.0.0/24"),
                        Ipv4Address.parse("198.18.0.1")))
                .build();
        String yaml = exporter.export(lan0, new NadExporter.Options(NadExporter.CniType.BRIDGE, "vms"));
        assertThat(yaml).contains("network.harvesterhci.io/route").contains("L2VlanNetwork");

        NadDocument doc = NadDocument.parseAll(yaml).getFirst();
        assertThat(doc.namespace()).isEqualTo("vms");
        assertThat(doc.config()).isEqualTo(
                "{\"cniVersion\":\"0.3.1\",\"name\":\"lan0\",\"type\":\"bridge\",\"bridge\":\"br-lan0\",\"promiscMode\":true,\"vlan\":100,\"mtu\":1500,\"ipam\":{}}");

        NadImport back = importer.importAll(yaml).getFirst();
        assertThat(back.warnings()).isEmpty();
        NetworkSpec spec = back.network().orElseThrow();
        assertThat(spec.name()).isEqualTo("lan0");
        assertThat(spec.cidr()).isEqualTo(lan0.cidr());
        assertThat(spec.gateway()).isEqualTo(lan0.gateway());
        assertThat(spec.bridge()).isEqualTo("br-lan0");
        assertThat(spec.vlan()).isEqualTo(100);
        assertThat(spec.mtu()).isEqualTo(1500);
        assertThat(spec.route()).isEqualTo(lan0.route());
        // Exporting what was imported gives the same document.
        assertThat(exporter.export(spec, new NadExporter.Options(NadExporter.CniType.BRIDGE, "vms"))).isEqualTo(yaml);
    }

    @Test
    void autoModeNetworkExportsTheAutoAnnotation() {
        NetworkSpec n = NetworkSpec.of("lan1", Ipv4Prefix.parse("198.18.1.0/24"), null, List.of());
        n = NetworkSpec.builder(n.name(), n.cidr()).bridge("br1").route(RouteSpec.AUTO).build();
        String yaml = exporter.export(n);
        NadDocument doc = NadDocument.parseAll(yaml).getFirst();
        assertThat(doc.annotations()).containsEntry(NadDocument.ROUTE_ANNOTATION, "{\"mode\":\"auto\"}");
        assertThat(importer.importOne(doc).route()).isEqualTo(RouteSpec.AUTO);
    }

    @Test
    void exportWithVmaddrIpamNamesThePluginAndLintsClean() {
        NetworkSpec n = NetworkSpec.builder("lan5", Ipv4Prefix.parse("198.18.5.0/24"))
                .gateway(Ipv4Address.parse("198.18.5.1")).bridge("br-lan5").build();
        for (NadExporter.CniType type : NadExporter.CniType.values()) {
            String yaml = exporter.export(n, new NadExporter.Options(type, null,
                    new NadExporter.VmaddrIpam("https://198.18.5.2:8067", "/etc/vmaddr/token")));
            CniConfig cni = CniConfig.parse(NadDocument.parseAll(yaml).getFirst().config(), "lan5");
            assertThat(cni.mainPlugin().path("ipam").toString()).isEqualTo("{\"type\":\"vmaddr\",\"network\":\"lan5\","
                    + "\"server\":\"https://198.18.5.2:8067\",\"tokenFile\":\"/etc/vmaddr/token\"}");
            // the main plugin declares the MAC capability too, so the IPAM plugin it execs sees the MAC
            assertThat(cni.plugins()).allSatisfy(p -> assertThat(p.path("capabilities").path("mac").asBoolean()).isTrue());
            assertThat(new NadLinter().lint(yaml, List.of(n)).findings()).as(type.name()).isEmpty();
        }
    }

    @Test
    void macvlanExportIsAChainWithTuningAndMacCapabilityThatLintsClean() {
        NetworkSpec n = NetworkSpec.builder("mv", Ipv4Prefix.parse("198.18.2.0/24"))
                .gateway(Ipv4Address.parse("198.18.2.1")).mtu(1450).bridge("eth1").build();
        String yaml = exporter.export(n, new NadExporter.Options(NadExporter.CniType.MACVLAN, null));
        CniConfig cni = CniConfig.parse(NadDocument.parseAll(yaml).getFirst().config(), "mv");
        assertThat(cni.chained()).isTrue();
        assertThat(cni.plugins()).extracting(p -> p.path("type").asText()).containsExactly("macvlan", "tuning");
        assertThat(cni.plugins()).allSatisfy(p -> assertThat(p.path("capabilities").path("mac").asBoolean()).isTrue());
        assertThat(cni.mainPlugin().path("master").asText()).isEqualTo("eth1");
        assertThat(new NadLinter().lint(yaml, List.of(n)).findings()).isEmpty();
        NadImport back = importer.importAll(yaml).getFirst();
        assertThat(back.cniType()).isEqualTo("macvlan");
        assertThat(back.hostInterface()).isEqualTo("eth1");
        assertThat(back.mtu()).isEqualTo(1450);
    }
}
