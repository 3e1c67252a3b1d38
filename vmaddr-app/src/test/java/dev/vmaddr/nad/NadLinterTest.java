package dev.vmaddr.nad;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.model.NetworkSpec;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NadLinterTest {
    private final NadLinter linter = new NadLinter();

    private static String nad(String name, String annotations, String config) {
        return """
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata:
                  name: %s
                  annotations: {%s}
                spec:
                  config: '%s'
                """.formatted(name, annotations, config);
    }

    private static NetworkSpec vmaddr(String name, Integer mtu, Integer vlan) {
        return NetworkSpec.builder(name, Ipv4Prefix.parse("198.18.0.0/24")).gateway(Ipv4Address.parse("198.18.0.1"))
                .mtu(mtu).bridge("br-lan0").vlan(vlan).build();
    }

    /**
     * Seed 001 said this chain loses the MAC. Measured with the real plugins (MacTruthTableNetnsTest,
     * docs/cni.md) it does not under Multus, which passes MAC= in CNI_ARGS and macvlan reads it; it
     * depends on that and on the plugin version, which is a warning, not an error.
     */
    @Test
    void seed001ChainWithoutCapabilityWarnsThatTheMacDependsOnMultusAndThePluginVersion() throws IOException {
        LintReport r = linter.lint(NadImportExportTest.fixture("macvlan-seed001.yaml"), List.of());
        assertThat(r.hasErrors()).isFalse();
        assertThat(r.rules()).containsExactly("mac-version");
        LintFinding f = r.findings().getFirst();
        assertThat(f.severity()).isEqualTo(LintFinding.Severity.WARNING);
        assertThat(f.message()).contains("MAC= in CNI_ARGS").contains("0.8.7");
        CniConfig fixed = CniConfig.parse(f.fix(), "fix");
        assertThat(fixed.plugins()).extracting(p -> p.path("type").asText()).containsExactly("macvlan", "tuning");
        assertThat(fixed.plugins()).allSatisfy(p -> assertThat(p.path("capabilities").path("mac").asBoolean()).isTrue());
        // The fix keeps the original plugin's settings (master, IPAM).
        assertThat(fixed.mainPlugin().path("master").asText()).isEqualTo("eth1");
        assertThat(fixed.mainPlugin().path("ipam").path("type").asText()).isEqualTo("whereabouts");
        // and the fixed chain lints clean.
        assertThat(linter.lint(nad("macvlan-net", "", f.fix()), List.of()).findings()).isEmpty();
    }

    @Test
    void capabilityOnMacvlanAloneDependsOnItsVersionOnTuningAloneBlindsTheIpam() {
        String capOnly = nad("a", "", "{\"cniVersion\":\"0.3.1\",\"type\":\"macvlan\",\"master\":\"eth1\",\"capabilities\":{\"mac\":true},\"ipam\":{}}");
        assertThat(linter.lint(capOnly, List.of()).findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("mac-version");
            assertThat(f.severity()).isEqualTo(LintFinding.Severity.WARNING);
            assertThat(f.message()).contains("applies the requested MAC itself").contains("0.8.7");
        });
        String tuningCap = nad("b", "", "{\"cniVersion\":\"0.3.1\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth1\",\"ipam\":{}},"
                + "{\"type\":\"tuning\",\"capabilities\":{\"mac\":true}}]}");
        assertThat(linter.lint(tuningCap, List.of()).findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("mac-ipam-blind");
            assertThat(f.severity()).isEqualTo(LintFinding.Severity.WARNING);
        });
    }

    @Test
    void tuningWithAFixedMacIsAnErrorAndPtpIgnoresTheMac() {
        String fixedMac = nad("s", "", "{\"cniVersion\":\"0.3.1\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth1\","
                + "\"capabilities\":{\"mac\":true},\"ipam\":{}},{\"type\":\"tuning\",\"mac\":\"52:54:00:01:02:03\",\"capabilities\":{\"mac\":true}}]}");
        LintReport r = linter.lint(fixedMac, List.of());
        assertThat(r.rules()).containsExactly("mac-static");
        assertThat(CniConfig.parse(r.findings().getFirst().fix(), "fix").plugin("tuning").orElseThrow().has("mac")).isFalse();
        LintReport ptp = linter.lint(nad("p", "", "{\"cniVersion\":\"0.3.1\",\"type\":\"ptp\",\"capabilities\":{\"mac\":true},\"ipam\":{}}"), List.of());
        assertThat(ptp.rules()).containsExactly("macvlan-mac");
        assertThat(ptp.hasErrors()).isTrue();
    }

    /** Multus's MAC= reaches a plain bridge's pod interface (measured), and KubeVirt's bridge binding sets the VM's MAC. */
    @Test
    void bridgeWithoutCapabilityIsFineButAFixedTuningMacIsNot() {
        LintReport plain = linter.lint(nad("lan0", "", "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"bridge\":\"br0\",\"ipam\":{}}"), List.of());
        assertThat(plain.findings()).isEmpty();
        LintReport fixedMac = linter.lint(nad("lan0", "", "{\"cniVersion\":\"0.3.1\",\"plugins\":[{\"type\":\"bridge\",\"bridge\":\"br0\","
                + "\"ipam\":{}},{\"type\":\"tuning\",\"mac\":\"52:54:00:01:02:03\"}]}"), List.of());
        assertThat(fixedMac.rules()).containsExactly("mac-static");
    }

    @Test
    void ipvlanCanNeverTakeARequestedMacAndL3ModeNeedsIpam() {
        LintReport r = linter.lint(nad("iv", "", "{\"cniVersion\":\"0.3.1\",\"type\":\"ipvlan\",\"master\":\"eth1\",\"mode\":\"l3\",\"ipam\":{}}"), List.of());
        assertThat(r.rules()).containsExactlyInAnyOrder("macvlan-mac", "ipam-missing");
        assertThat(r.findings()).filteredOn(f -> f.rule().equals("macvlan-mac")).singleElement()
                .satisfies(f -> assertThat(CniConfig.parse(f.fix(), "fix").mainType()).isEqualTo("macvlan"));
    }

    @Test
    void bridgeNameMissing() {
        LintReport r = linter.lint(nad("lan0", "", "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"ipam\":{}}"), List.of(vmaddr("lan0", null, null)));
        assertThat(r.rules()).containsExactly("bridge-name");
        assertThat(r.findings().getFirst().message()).contains("cni0");
        assertThat(r.findings().getFirst().fix()).contains("\"bridge\":\"br-lan0\"");
    }

    @Test
    void ipamMissingWhereL3IsDeclaredAndNobodyManagesIt() {
        String manual = nad("ext", "network.harvesterhci.io/route: '{\"mode\":\"manual\",\"cidr\":\"198.18.5.0/24\",\"gateway\":\"198.18.5.1\"}'",
                "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"bridge\":\"br5\",\"ipam\":{}}");
        assertThat(linter.lint(manual, List.of()).findings()).singleElement()
                .satisfies(f -> {
                    assertThat(f.rule()).isEqualTo("ipam-missing");
                    assertThat(f.fix()).contains("198.18.5.0/24");
                });
        // The same NAD for a network vmaddr serves needs no IPAM: vmaddr's DHCP assigns the addresses.
        NetworkSpec managed = NetworkSpec.builder("ext", Ipv4Prefix.parse("198.18.5.0/24"))
                .gateway(Ipv4Address.parse("198.18.5.1")).bridge("br5").build();
        assertThat(linter.lint(manual, List.of(managed)).findings()).isEmpty();
        String gw = nad("g", "", "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"bridge\":\"b\",\"isGateway\":true}");
        assertThat(linter.lint(gw, List.of()).rules()).containsExactly("ipam-missing");
    }

    @Test
    void mtuDifferentFromTheVmaddrNetwork() {
        String yaml = nad("lan0", "", "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"bridge\":\"br-lan0\",\"mtu\":9000,\"ipam\":{}}");
        LintReport r = linter.lint(yaml, List.of(vmaddr("lan0", 1500, null)));
        assertThat(r.rules()).containsExactly("mtu-mismatch");
        assertThat(r.findings().getFirst().fix()).isEqualTo("\"mtu\": 1500");
        assertThat(linter.lint(yaml, List.of(vmaddr("lan0", 9000, null))).findings()).isEmpty();
    }

    @Test
    void vlanOutOfRange() {
        LintReport r = linter.lint(nad("v", "", "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"bridge\":\"b\",\"vlan\":4095,\"ipam\":{}}"), List.of());
        assertThat(r.rules()).containsExactly("vlan-range");
        assertThat(r.hasErrors()).isTrue();
    }

    @Test
    void routeAnnotationCidrOrGatewayMismatchingTheVmaddrNetwork() {
        String yaml = nad("lan0", "network.harvesterhci.io/route: '{\"mode\":\"manual\",\"cidr\":\"198.18.0.0/23\",\"gateway\":\"198.18.0.254\"}'",
                "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"bridge\":\"br-lan0\",\"ipam\":{}}");
        LintReport r = linter.lint(yaml, List.of(vmaddr("lan0", null, null)));
        assertThat(r.rules()).containsExactly("route-mismatch", "route-mismatch");
        assertThat(r.findings().get(0).message()).contains("cidr 198.18.0.0/23 differs from cidr 198.18.0.0/24");
        assertThat(r.findings().get(1).message()).contains("gateway 198.18.0.254 differs from gateway 198.18.0.1");
        assertThat(r.findings().get(0).fix()).contains("{\"mode\":\"manual\",\"cidr\":\"198.18.0.0/24\",\"gateway\":\"198.18.0.1\"}");
    }

    @Test
    void invalidJsonInSpecConfigGivesAClearMessage() {
        LintReport r = linter.lint(nad("bad", "", "{\"cniVersion\":\"0.3.1\" \"type\":\"bridge\"}"), List.of());
        assertThat(r.rules()).containsExactly("config-json");
        assertThat(r.findings().getFirst().message()).startsWith("bad spec.config: invalid JSON at line 1 column");
    }

    @Test
    void harvesterFixtureIsClean() throws IOException {
        LintReport r = linter.lint(NadImportExportTest.fixture("harvester-vlan2011.yaml"), List.of());
        assertThat(r.findings()).extracting(LintFinding::severity).containsOnly(LintFinding.Severity.INFO);
        assertThat(r.hasErrors()).isFalse();
    }

    @Test
    void brokenYamlIsOneFinding() {
        LintReport r = linter.lint("kind: [unclosed", List.of());
        assertThat(r.rules()).containsExactly("yaml");
        assertThat(r.hasErrors()).isTrue();
    }
}
