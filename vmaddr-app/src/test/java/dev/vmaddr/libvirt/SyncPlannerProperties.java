package dev.vmaddr.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random host histories (domains defined, edited, started, stopped, undefined; MACs shared between
 * domains on purpose, interfaces on unknown bridges, user aliases) synced one after another
 * through the real inventory: after every pass no MAC or address is held by two NICs, every
 * domain interface vmaddr can manage is some NIC of its VM with the domain's MAC (unless a
 * conflict names it), VM states follow the domains, only synced VMs are removed, and a second
 * pass over the same domains changes nothing.
 */
class SyncPlannerProperties {
    private static final List<String> NAMES = List.of("a", "b", "c", "d");
    private static final List<String> BRIDGES = List.of("br-t1", "br-t2", "br-other");

    @Property(tries = 60)
    void syncKeepsEveryMacAndAddressUniqueAndReachesAFixpoint(@ForAll("histories") List<List<Domain>> history) {
        checkHistory(history);
    }

    /**
     * The sample jqwik shrank to once: domain a's MAC moves from interface 0 to interface 1 and
     * interface 0 gets the MAC api-vm holds. nic0 follows its MAC to interface 1, so interface 0
     * would be a new NIC {@code nic0-1}, and its mac-conflict names that NIC, not {@code nic0}.
     */
    @Example
    void aMacMovedToTheNextInterfaceWhileTheFirstTakesAHeldMacIsAConflictOfTheRenamedNic() {
        SyncResult last = checkHistory(List.of(
                List.of(new Domain("a", "uuid-a", Domain.RUNNING, List.of(iface(2)), false)),
                List.of(new Domain("a", "uuid-a", Domain.RUNNING, List.of(iface(1), iface(2)), false))));
        assertThat(last.conflicts()).extracting(c -> c.vm() + "/" + c.nic() + " " + c.kind() + " " + c.mac())
                .containsExactly("a/nic0-1 mac-conflict 52:54:00:00:00:01");
    }

    /**
     * The second sample jqwik shrank to: NIC x is replaced (nic0 with 02 unplugged, x and nic1 plugged),
     * then x's interface takes back 02, still quarantined after nic0 gave it up, and nic1 is unplugged.
     * The refused SetMac of x must not keep nic1 (a second pass would remove it: no fixpoint).
     */
    @Example
    void aRefusedMacOfOneNicDoesNotHoldBackTheUnplugOfAnother() {
        SyncResult last = checkHistory(List.of(
                List.of(new Domain("a", "uuid-a", Domain.RUNNING, List.of(iface(2)), false)),
                List.of(new Domain("a", "uuid-a", Domain.RUNNING, List.of(iface(4, "ua-x"), iface(3)), false)),
                List.of(new Domain("a", "uuid-a", Domain.RUNNING, List.of(iface(2, "ua-x")), false))));
        assertThat(last.conflicts()).extracting(c -> c.vm() + "/" + c.nic() + " " + c.kind() + " " + c.mac())
                .containsExactly("a/x mac-conflict 52:54:00:00:00:02");
    }

    /**
     * The third sample: one MAC on two interfaces, the first moved to another network (network-changed),
     * the second added as nic1 with it. The next pass must pair nic1 with the second interface again,
     * not with the first (then nic0 were unplugged and the second interface refused).
     */
    @Example
    void aMacOnTwoInterfacesStaysWithTheNicMadeForIt() {
        DomainInterface onT2 = new DomainInterface(MacAddress.parse("52:54:00:00:00:03"), "bridge", "br-t2", null, null, "virtio", 0);
        SyncResult last = checkHistory(List.of(
                List.of(new Domain("a", "uuid-a", Domain.RUNNING, List.of(iface(2)), false)),
                List.of(new Domain("a", "uuid-a", Domain.RUNNING, List.of(onT2, iface(3)), false))));
        assertThat(last.conflicts()).extracting(c -> c.vm() + "/" + c.nic() + " " + c.kind())
                .containsExactly("a/nic0 network-changed");
    }

    private static DomainInterface iface(int mac) {
        return iface(mac, null);
    }

    private static DomainInterface iface(int mac, String alias) {
        return new DomainInterface(MacAddress.parse("52:54:00:00:00:0" + mac), "bridge", "br-t1", null, alias, "virtio", 0);
    }

    /** Syncs each host state in turn, checking the invariants after every pass; returns the last pass's result. */
    private static SyncResult checkHistory(List<List<Domain>> history) {
        LibvirtFixture f = new LibvirtFixture();
        f.inventory.create("api-vm", "hv1", List.of(new dev.vmaddr.vm.VmInventory.NicRequest("nic0", "t1",
                MacAddress.parse("52:54:00:00:00:01"))));
        List<SyncStep.DefineMac> defined = new ArrayList<>();
        SyncResult last = null;
        for (List<Domain> domains : history) {
            SyncResult r = f.sync(domains, defined);
            last = r;
            assertThat(r.errors()).isEmpty();
            checkUnique(f.inventory.list());
            Map<String, Domain> byName = new HashMap<>();
            domains.forEach(d -> byName.putIfAbsent(d.name(), d));
            for (Domain d : byName.values()) {
                Vm vm = f.inventory.get(d.name());
                assertThat(vm.state().name()).isEqualTo(d.active() ? "RUNNING" : "STOPPED");
                for (int k = 0; k < d.interfaces().size(); k++) {
                    DomainInterface i = d.interfaces().get(k);
                    boolean managed = SyncPlanner.networkOf(i, f.networks()).isPresent();
                    String nicName = i.userAliasName() != null ? i.userAliasName() : "nic" + k;
                    boolean named = r.conflicts().stream().anyMatch(c -> isAbout(c, d.name(), nicName, i.mac()));
                    if (managed && !named) {
                        assertThat(vm.nics()).as("%s interface %d", d.name(), k).anySatisfy(n -> assertThat(n.owns(i.mac())).isTrue());
                    }
                }
            }
            assertThat(f.inventory.find("api-vm")).isPresent();
            for (Vm vm : f.inventory.list()) {
                assertThat(vm.name().equals("api-vm") || byName.containsKey(vm.name())).as(vm.name()).isTrue();
            }
            SyncPlan again = f.plan(domains);
            assertThat(again.vms()).allSatisfy(v -> assertThat(v.steps()).as(v.name())
                    .allMatch(s -> s instanceof SyncStep.DefineMac || s instanceof SyncStep.CreateVm c && c.nics().isEmpty()
                            || conflictRetry(s, r)));
        }
        return last;
    }

    /**
     * Whether conflict {@code c} is about the interface whose NIC name would be {@code nicName}. Not
     * only a conflict naming that NIC: when the VM's NIC of that name follows its MAC to another
     * interface (a MAC moved between interfaces), the planner makes this interface a new NIC
     * {@code nicName-N} (SyncPlanner.freeName), so a refusal of its MAC names that NIC and carries
     * the interface's MAC.
     */
    private static boolean isAbout(SyncPlan.Conflict c, String vm, String nicName, MacAddress mac) {
        if (!c.vm().equals(vm) || c.nic() == null) {
            return false;
        }
        return c.nic().equals(nicName)
                || mac != null && mac.equals(c.mac()) && c.nic().matches(java.util.regex.Pattern.quote(nicName) + "-[0-9]+");
    }

    /** A step the pool refused last time (a MAC still quarantined after an undefine) is proposed again, and refused again. */
    private static boolean conflictRetry(SyncStep s, SyncResult last) {
        return (s instanceof SyncStep.AddNic || s instanceof SyncStep.SetMac)
                && last.conflicts().stream().anyMatch(c -> c.vm().equals(s.vm()) && c.kind().equals("mac-conflict"));
    }

    private static void checkUnique(List<Vm> vms) {
        Map<MacAddress, String> macs = new HashMap<>();
        Map<Ipv4Address, String> ips = new HashMap<>();
        for (Vm vm : vms) {
            for (Nic n : vm.nics()) {
                String who = vm.name() + "/" + n.name();
                for (MacAddress m : new MacAddress[] {n.mac(), n.pendingMac()}) {
                    if (m != null) {
                        assertThat(macs.put(m, who)).as("MAC %s held by %s", m, who).isNull();
                    }
                }
                if (n.ip() != null) {
                    assertThat(ips.put(n.ip(), who)).as("IP %s held by %s", n.ip(), who).isNull();
                }
            }
        }
    }

    @Provide
    Arbitrary<List<List<Domain>>> histories() {
        Arbitrary<DomainInterface> iface = Combinators.combine(
                Arbitraries.integers().between(1, 6), Arbitraries.of(BRIDGES), Arbitraries.of("", "", "", "ua-x", "ua-nic0"))
                .as((mac, bridge, alias) -> new DomainInterface(MacAddress.parse("52:54:00:00:00:0" + mac), "bridge", bridge, null,
                        alias.isEmpty() ? null : alias, "virtio", 0));
        Arbitrary<Domain> domain = Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of(Domain.RUNNING, Domain.SHUT_OFF),
                        iface.list().ofMaxSize(3))
                .as((name, state, ifs) -> new Domain(name, "uuid-" + name, state, ifs, false));
        Arbitrary<List<Domain>> host = domain.list().ofMaxSize(4).map(list -> {
            Map<String, Domain> unique = new LinkedHashMap<>();
            list.forEach(d -> unique.putIfAbsent(d.name(), d));
            return List.copyOf(unique.values());
        });
        return host.list().ofMinSize(1).ofMaxSize(5);
    }
}
