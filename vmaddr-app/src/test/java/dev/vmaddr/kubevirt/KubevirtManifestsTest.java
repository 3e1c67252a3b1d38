package dev.vmaddr.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.libvirt.Domain;
import dev.vmaddr.libvirt.DomainInterface;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading KubeVirt VM/VMI manifests (files modelled on KubeVirt's examples/) and refusing broken ones with file:line. */
class KubevirtManifestsTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = KubevirtManifestsTest.class.getResourceAsStream("/kubevirt/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aVmWithItsNadInOneFileHasItsMultusNicManagedAndThePodNicNot() throws IOException {
        List<KubevirtVm> vms = KubevirtManifests.parse(resource("vm-multus-with-nad.yaml"), "web1.yaml");

        assertThat(vms).singleElement().satisfies(vm -> {
            assertThat(vm.name()).isEqualTo("web1");
            assertThat(vm.kind()).isEqualTo(KubevirtVm.VM);
            assertThat(vm.state()).as("runStrategy: Always").isEqualTo(Domain.RUNNING);
            assertThat(vm.where()).isEqualTo("web1.yaml:12");
            assertThat(vm.nics()).containsExactly(
                    new KubevirtVm.Nic("default", null, "masquerade", null, null, 32),
                    new KubevirtVm.Nic("lab", MacAddress.parse("02:00:00:0b:00:01"), "bridge", "lab-net", "virtio", 34));
            Domain d = vm.toDomain();
            assertThat(d.interfaces()).containsExactly(new DomainInterface(MacAddress.parse("02:00:00:0b:00:01"), "bridge", null,
                    "lab-net", "ua-lab", "virtio", 34));
            assertThat(d.interfaces().getFirst().userAliasName()).isEqualTo("lab");
            assertThat(vm.sightings()).isEmpty();
        });
    }

    @Test
    void runningFalseIsStoppedAndNoInterfacesIsNoNic() throws IOException {
        assertThat(KubevirtManifests.parse(resource("vm-no-nics.yaml"), "q.yaml")).singleElement().satisfies(vm -> {
            assertThat(vm.state()).isEqualTo(Domain.SHUT_OFF);
            assertThat(vm.nics()).isEmpty();
        });
    }

    @Test
    void aRunningVmiGivesItsStatusInterfacesAsSightingsAndANamespacedNadLosesItsNamespace() throws IOException {
        assertThat(KubevirtManifests.parse(resource("vmi-running.yaml"), "db1.yaml")).singleElement().satisfies(vmi -> {
            assertThat(vmi.kind()).isEqualTo(KubevirtVm.VMI);
            assertThat(vmi.qualifiedName()).isEqualTo("prod/db1");
            assertThat(vmi.state()).isEqualTo(Domain.RUNNING);
            assertThat(vmi.nics()).extracting(KubevirtVm.Nic::nad).containsExactly(null, "lab-net");
            assertThat(vmi.nics().get(1).mac()).as("an unquoted MAC is a MAC").isEqualTo(MacAddress.parse("02:00:00:0b:00:02"));
            assertThat(vmi.sightings()).extracting(s -> s.nic() + " " + s.mac() + " " + s.ips())
                    .containsExactly("default 02:00:00:0b:00:09 [10.244.0.12]", "lab 02:00:00:0b:00:02 [198.18.40.20]");
        });
    }

    @Test
    void aJsonListAsKubectlPrintsItIsUnpackedAndAVmWithItsVmiIsOneVm() {
        String json = """
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "app", "namespace": "prod"},
                   "spec": {"runStrategy": "Manual", "template": {"spec": {
                     "domain": {"devices": {"interfaces": [{"name": "lab", "bridge": {}, "macAddress": "02:00:00:0b:00:05"}]}},
                     "networks": [{"name": "lab", "multus": {"networkName": "lab-net"}}]}}}},
                  {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": {"name": "app", "namespace": "prod"},
                   "spec": {"domain": {"devices": {"interfaces": [{"name": "lab", "bridge": {}}]}},
                     "networks": [{"name": "lab", "multus": {"networkName": "lab-net"}}]},
                   "status": {"phase": "Succeeded", "interfaces": [{"name": "lab", "mac": "02:00:00:0b:00:05"}]}}
                ]}
                """;
        List<KubevirtVm> read = KubevirtManifests.parse(json, "all.json");
        assertThat(read).extracting(KubevirtVm::kind).containsExactly(KubevirtVm.VM, KubevirtVm.VMI);
        assertThat(read.get(0).state()).as("Manual: the manifest does not say").isEqualTo(Domain.AS_IS);
        assertThat(read.get(1).where()).isEqualTo("all.json:6");

        assertThat(KubevirtManifests.combine(read)).singleElement().satisfies(vm -> {
            assertThat(vm.kind()).isEqualTo(KubevirtVm.VM);
            assertThat(vm.state()).as("the VMI's phase where the VM does not say").isEqualTo(Domain.SHUT_OFF);
            assertThat(vm.nics().getFirst().mac()).isEqualTo(MacAddress.parse("02:00:00:0b:00:05"));
            assertThat(vm.sightings()).singleElement().satisfies(s -> assertThat(s.where()).isEqualTo("all.json:9"));
        });
    }

    @Test
    void otherKindsAndEmptyDocumentsAreSkipped() {
        String yaml = "---\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n"
                + "apiVersion: vmoperator.vmware.com/v1alpha1\nkind: VirtualMachine\nmetadata:\n  name: other\n";
        assertThat(KubevirtManifests.parse(yaml, "x.yaml")).isEmpty();
    }

    private static void refused(String yaml, String message) {
        assertThatThrownBy(() -> KubevirtManifests.parse(yaml, "bad.yaml")).isInstanceOf(KubevirtException.class)
                .hasMessageStartingWith(message);
    }

    private static String vm(String interfaces, String networks) {
        return "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: vm1\nspec:\n  running: true\n  template:\n"
                + "    spec:\n      domain:\n        devices:\n          interfaces:\n" + interfaces + "      networks:\n" + networks;
    }

    @Test
    void brokenFilesAreRefusedWithFileAndLine() {
        String lab = "      - name: lab\n        multus:\n          networkName: lab-net\n";
        // line 12 is the first interface
        refused(vm("          - name: lab\n            bridge: {}\n            macAddress: \"02:00:00:zz:00:01\"\n", lab),
                "bad.yaml:14: spec.template.spec.domain.devices.interfaces[0].macAddress: invalid MAC address");
        refused(vm("          - name: lab\n            bridge: {}\n          - name: red\n            bridge: {}\n", lab),
                "bad.yaml:14: spec.template.spec.domain.devices.interfaces red: no network of that name");
        refused(vm("          - name: lab\n          - name: lab\n", lab), "bad.yaml:13: spec.template.spec.domain.devices.interfaces: lab twice");
        refused(vm("          - name: Lab_1\n", lab), "bad.yaml:12: spec.template.spec.domain.devices.interfaces: name \"Lab_1\"");
        refused(vm("          - name: lab\n", "      - name: lab\n        cni: {}\n"), "bad.yaml:14: spec.template.spec.networks lab: neither");
        refused(vm("          - name: lab\n", lab).replace("  running: true\n", "  running: true\n  runStrategy: Always\n"),
                "bad.yaml:1: spec.running and spec.runStrategy both set");
        refused(vm("          - name: lab\n", lab).replace("  running: true\n", "  runStrategy: Sometimes\n"),
                "bad.yaml:1: spec.runStrategy \"Sometimes\"");
        refused(vm("          - name: lab\n", lab).replace("  running: true\n", "  running: maybe\n"), "bad.yaml:6: spec.running");
        refused("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: vm1\nspec:\n  running: true\n",
                "bad.yaml:1: VirtualMachine vm1: spec.template.spec missing");
        refused("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: Web_1\n", "bad.yaml:1: metadata.name \"Web_1\"");
        refused("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: [\n", "bad.yaml:");
        refused("<domain type='kvm'>\n  <name>web1</name>\n</domain>\n", "bad.yaml:1: expected a Kubernetes object");
        refused("metadata:\n  name: x\n", "bad.yaml:1: not a Kubernetes object: no kind");
    }

    @Test
    void oneNameInTwoNamespacesOrTwiceIsRefusedByCombine() throws IOException {
        String vmi = resource("vmi-running.yaml");
        List<KubevirtVm> twice = new ArrayList<>(KubevirtManifests.parse(vmi, "a.yaml"));
        twice.addAll(KubevirtManifests.parse(vmi.replace("namespace: prod", "namespace: test"), "b.yaml"));
        assertThatThrownBy(() -> KubevirtManifests.combine(twice)).isInstanceOf(KubevirtException.class)
                .hasMessageStartingWith("b.yaml:3: test/db1 and prod/db1 (a.yaml:3) would be one vmaddr VM db1");
        List<KubevirtVm> same = new ArrayList<>(KubevirtManifests.parse(vmi, "a.yaml"));
        same.addAll(KubevirtManifests.parse(vmi, "c.yaml"));
        assertThatThrownBy(() -> KubevirtManifests.combine(same)).hasMessageStartingWith(
                "c.yaml:3: VirtualMachineInstance prod/db1 is also at a.yaml:3");
    }
}
