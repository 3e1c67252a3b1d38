package dev.vmaddr.libvirt;

import static dev.vmaddr.libvirt.LibvirtFixture.bridge;
import static dev.vmaddr.libvirt.LibvirtFixture.domain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.kubevirt.KubevirtManifests;
import dev.vmaddr.kubevirt.KubevirtVm;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.VmState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * reconcile --from kubevirt: manifests read by {@link KubevirtManifests} through the same planner and
 * reconciler as libvirt files; the manifest's run strategy applied; a VMI's status and the DHCP
 * server's last sighting keep live addresses; each source deletes only its own VMs.
 */
class KubevirtReconcileTest {
    private static final String M1 = "02:00:00:0b:00:01";
    private static final String M2 = "02:00:00:0b:00:02";

    private final LibvirtFixture f = new LibvirtFixture();
    private final Map<Ipv4Address, Instant> dhcpSeen = new HashMap<>();
    private final Reconciler reconciler = new Reconciler(f.inventory, f.managed, f::networks,
            (network, ip, mac) -> Optional.ofNullable(dhcpSeen.get(ip)), f.clock);

    /** A VM with a pod NIC and NICs on Multus NADs named like the fixture's networks (t1, t2). */
    private static String vm(String name, String run, String... nics) {
        StringBuilder itf = new StringBuilder("          - name: default\n            masquerade: {}\n");
        StringBuilder net = new StringBuilder("      - name: default\n        pod: {}\n");
        for (String n : nics) {
            String[] p = n.split(" "); // name nad mac
            itf.append("          - name: ").append(p[0]).append("\n            bridge: {}\n            macAddress: \"")
                    .append(p[2]).append("\"\n");
            net.append("      - name: ").append(p[0]).append("\n        multus:\n          networkName: default/").append(p[1]).append('\n');
        }
        return "---\napiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: " + name + "\n  namespace: default\nspec:\n"
                + "  " + run + "\n  template:\n    spec:\n      domain:\n        devices:\n          interfaces:\n" + itf
                + "      networks:\n" + net;
    }

    private static String vmiStatus(String name, String nic, String mac, String ip) {
        return "---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata:\n  name: " + name + "\n  namespace: default\n"
                + "spec:\n  domain:\n    devices: {}\nstatus:\n  phase: Running\n  interfaces:\n  - name: " + nic + "\n    mac: \"" + mac
                + "\"\n    ipAddress: " + ip + "\n";
    }

    private Reconciler.Result reconcile(String yaml, boolean dryRun) {
        List<Domain> domains = new ArrayList<>();
        List<Reconciler.Sighting> sightings = new ArrayList<>();
        for (KubevirtVm vm : KubevirtManifests.combine(KubevirtManifests.parse(yaml, "vms.yaml"))) {
            domains.add(vm.toDomain());
            sightings.addAll(vm.sightings());
        }
        return reconciler.reconcile(Reconciler.Source.KUBEVIRT, domains, sightings, dryRun);
    }

    @Test
    void aDryRunPlansClaimAndStartThenTheRealRunAppliesBothAndAgainChangesNothing() {
        String yaml = vm("web1", "runStrategy: Always", "lab t1 " + M1);

        Reconciler.Result dry = reconcile(yaml, true);
        assertThat(dry.applied()).isFalse();
        assertThat(dry.claimed()).containsExactly(new Reconciler.Claimed("web1", "lab", MacAddress.parse(M1), "t1"));
        assertThat(dry.plan().vms()).singleElement().satisfies(p -> assertThat(p.steps())
                .hasExactlyElementsOfTypes(SyncStep.CreateVm.class, SyncStep.Start.class));
        assertThat(f.inventory.list()).as("a dry run writes nothing").isEmpty();
        assertThat(f.pool.record(MacAddress.parse(M1))).isEmpty();

        Reconciler.Result real = reconcile(yaml, false);
        assertThat(real.applied()).isTrue();
        assertThat(real.claimed()).isEqualTo(dry.claimed());
        assertThat(f.inventory.get("web1").state()).as("runStrategy: Always").isEqualTo(VmState.RUNNING);
        assertThat(f.inventory.get("web1").nics()).extracting(Nic::name, Nic::mac, Nic::network)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lab", MacAddress.parse(M1), "t1"));
        assertThat(f.managed.names(Reconciler.Source.KUBEVIRT.uri())).containsExactly("web1");

        Reconciler.Result again = reconcile(yaml, false);
        assertThat(again.claimed()).isEmpty();
        assertThat(again.plan().vms()).extracting(SyncPlan.VmPlan::action).containsExactly(SyncPlan.Action.UNCHANGED);

        Reconciler.Result halted = reconcile(yaml.replace("runStrategy: Always", "runStrategy: Halted"), false);
        assertThat(halted.plan().steps()).hasExactlyElementsOfTypes(SyncStep.Stop.class);
        assertThat(f.inventory.get("web1").state()).isEqualTo(VmState.STOPPED);
        reconcile(yaml.replace("runStrategy: Always", "runStrategy: Manual"), false);
        assertThat(f.inventory.get("web1").state()).as("Manual says nothing: as it is").isEqualTo(VmState.STOPPED);
    }

    @Test
    void aVmGoneFromTheManifestsIsReleasedOnlyOnceItsHolderWasNotSeenForALeaseTime() {
        reconcile(vm("web1", "running: true", "lab t1 " + M1) + vm("db1", "running: true", "lab t1 " + M2), false);
        Nic web = f.inventory.get("web1").nics().getFirst();
        dhcpSeen.put(web.ip(), f.clock.instant());

        Reconciler.Result r = reconcile(vm("db1", "running: true", "lab t1 " + M2), false);
        assertThat(r.released()).isEmpty();
        assertThat(r.flagged()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Reconciler.SEEN_RECENTLY);
            assertThat(c.vm()).isEqualTo("web1");
        });
        assertThat(f.inventory.find("web1")).isPresent();

        f.clock.advance(Duration.ofHours(1).plusSeconds(1)); // the networks' lease time (default 1h)
        Reconciler.Result later = reconcile(vm("db1", "running: true", "lab t1 " + M2), false);
        assertThat(later.released()).containsExactly(new Reconciler.Released("web1", "lab", web.mac(), web.ip(), "t1"));
        assertThat(f.inventory.find("web1")).isEmpty();
    }

    @Test
    void aNicGoneFromTheVmSpecButLiveInItsVmiStatusIsKeptAndTheStatusIsRecorded() {
        reconcile(vm("db1", "running: true", "lab t1 " + M1, "back t2 " + M2), false);
        Nic back = f.inventory.get("db1").nic("back").orElseThrow();

        String unplugged = vm("db1", "running: true", "lab t1 " + M1) + vmiStatus("db1", "back", M2, "198.18.5.77");
        Reconciler.Result dry = reconcile(unplugged, true);
        assertThat(dry.released()).isEmpty();
        assertThat(dry.flagged()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Reconciler.SEEN_RECENTLY);
            assertThat(c.nic()).isEqualTo("back");
            assertThat(c.detail()).contains("vms.yaml:");
        });

        Reconciler.Result real = reconcile(unplugged, false);
        assertThat(real.applied()).isTrue();
        assertThat(f.inventory.get("db1").nic("back")).as("kept").isPresent();
        assertThat(f.inventory.get("db1").nic("back").orElseThrow().observed()).isNotNull()
                .satisfies(o -> assertThat(o.ips()).contains("198.18.5.77"));

        f.clock.advance(Duration.ofHours(1).plusSeconds(1)); // the recorded status is a sighting too: a lease time later
        Reconciler.Result gone = reconcile(vm("db1", "running: true", "lab t1 " + M1), false);
        assertThat(gone.released()).as("no VMI shows it, and nobody saw it for a lease time: released")
                .containsExactly(new Reconciler.Released("db1", "back", back.mac(), back.ip(), "t2"));
    }

    @Test
    void eachSourceDeletesOnlyItsOwnVms() {
        f.sync(List.of(domain("lib1", Domain.RUNNING, bridge("52:54:00:00:00:01", "br-t1"))), new ArrayList<>());
        reconciler.reconcile(List.of(domain("lib1", Domain.RUNNING, bridge("52:54:00:00:00:01", "br-t1")),
                domain("lib2", Domain.SHUT_OFF, bridge("52:54:00:00:00:02", "br-t1"))), false); // every domain of the host
        assertThat(f.inventory.find("lib2")).isPresent();
        f.clock.advance(Duration.ofHours(2));

        Reconciler.Result kube = reconcile(vm("kv1", "running: false", "lab t1 " + M1), false);
        assertThat(kube.released()).isEmpty();
        assertThat(f.inventory.find("lib1")).isPresent();
        assertThat(f.inventory.find("lib2")).isPresent();

        f.clock.advance(Duration.ofHours(2));
        Reconciler.Result lib = reconciler.reconcile(List.of(domain("lib1", Domain.RUNNING, bridge("52:54:00:00:00:01", "br-t1"))),
                false);
        assertThat(lib.released()).extracting(Reconciler.Released::vm).containsExactly("lib2");
        assertThat(f.inventory.find("kv1")).as("no domain file describes a KubeVirt VM").isPresent();
    }
}
