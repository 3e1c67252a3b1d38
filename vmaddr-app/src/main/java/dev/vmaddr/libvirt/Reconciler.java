package dev.vmaddr.libvirt;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.libvirt.SyncPlan.Conflict;
import dev.vmaddr.libvirt.SyncPlan.VmPlan;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.GuestInterface;
import dev.vmaddr.vm.GuestReport;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import dev.vmaddr.vm.VmInventory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vmaddr reconcile --from libvirt FILE...} (issue 20 item 6): the domain definitions in the
 * files are the truth about which VMs and NICs exist; what vmaddr holds is brought in line by the
 * same planner as the sync ({@link SyncPlanner}), with two differences. VM states are left as they
 * are (a file says nothing reliable about whether a domain runs) and no definition is written.
 * And (whereabouts#176/#546, a reconciler that freed live addresses) an address is never released
 * while its holder was seen within the network's lease time: the DHCP server renewed its lease or a
 * guest reported it ({@link LastSeen}); such a NIC or VM is flagged {@code seen-recently} instead.
 *
 * <p>Applied all or nothing for the claims: every claim (new VM, new NIC, MAC) is made first, and
 * if one is refused the ones made are undone and nothing is released; the releases come last.
 *
 * <p>{@code --from kubevirt} (dev.vmaddr.kubevirt reads the manifests into domains) differs in two
 * ways: a manifest says whether the VM runs ({@code runStrategy}, a VMI's phase), so starts and stops
 * are applied with the claims (a domain {@link Domain#AS_IS} keeps its VM's state); and a VMI's
 * {@code status.interfaces} are {@link Sighting}s: a NIC whose MAC a VMI shows is live now, never
 * released, and after a real run they are reported to the inventory as a KubeVirt guest report.
 * Each source deletes only the VMs it created ({@link Source#uri}).
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    public static final String SEEN_RECENTLY = "seen-recently";
    /** The "URI" VMs created by a reconcile are managed under: no sync deletes them, a later reconcile may. */
    static final String FILES = "reconcile:libvirt";

    /** Where the files come from; each deletes only VMs it created (its {@code uri}) or a libvirt sync did. */
    public enum Source {
        LIBVIRT(FILES), KUBEVIRT("reconcile:kubevirt");

        private final String uri;

        Source(String uri) {
            this.uri = uri;
        }

        public String uri() {
            return uri;
        }
    }

    /**
     * A NIC seen live in a file (a VMI's {@code status.interfaces}): its MAC is never released.
     *
     * @param nic   the interface name the file gives; null when none
     * @param where {@code file:line}, for the flag
     */
    public record Sighting(String vm, String nic, MacAddress mac, List<String> ips, String where) {
        public Sighting {
            ips = List.copyOf(ips);
        }
    }

    /** When the holder of {@code ip} ({@code mac} on {@code network}) was last seen by the DHCP server; empty when never. */
    public interface LastSeen {
        Optional<Instant> lastSeen(String network, Ipv4Address ip, MacAddress mac);
    }

    public record Claimed(String vm, String nic, MacAddress mac, String network) {}

    public record Released(String vm, String nic, MacAddress mac, Ipv4Address ip, String network) {}

    /**
     * @param applied false for a dry run, and for a run whose claims were refused (then nothing was written)
     */
    public record Result(boolean dryRun, boolean applied, SyncPlan plan, List<Claimed> claimed, List<Released> released,
                         List<Conflict> flagged, List<String> errors) {}

    private final VmInventory inventory;
    private final ManagedDomains managed;
    private final Supplier<List<NetworkSpec>> networks;
    private final LastSeen lastSeen;
    private final Clock clock;

    public Reconciler(VmInventory inventory, ManagedDomains managed, Supplier<List<NetworkSpec>> networks, LastSeen lastSeen,
                      Clock clock) {
        this.inventory = inventory;
        this.managed = managed;
        this.networks = networks;
        this.lastSeen = lastSeen;
        this.clock = clock;
    }

    /** {@code --from libvirt}: domain definitions, states as they are. */
    public Result reconcile(List<Domain> domains, boolean dryRun) {
        return reconcile(Source.LIBVIRT, domains, List.of(), dryRun);
    }

    public synchronized Result reconcile(Source source, List<Domain> domains, List<Sighting> sightings, boolean dryRun) {
        List<Vm> vms = inventory.list();
        Map<String, Vm> byName = new HashMap<>();
        vms.forEach(v -> byName.put(v.name(), v));
        // A domain whose file says nothing about running takes the state of its VM: the plan then
        // neither starts nor stops it. libvirt files never say (a definition is not a state).
        List<Domain> asIs = domains.stream().map(d -> source == Source.LIBVIRT || Domain.AS_IS.equals(d.state())
                ? d.withState(byName.containsKey(d.name()) && byName.get(d.name()).state() == dev.vmaddr.vm.VmState.RUNNING
                        ? Domain.RUNNING : Domain.SHUT_OFF) : d).toList();
        List<NetworkSpec> nets = networks.get();
        Set<String> mine = source == Source.LIBVIRT ? managed.allNames() : managed.names(source.uri());
        if (source == Source.LIBVIRT) {
            mine.removeAll(managed.names(Source.KUBEVIRT.uri())); // KubeVirt's VMs are in no domain file
        }
        SyncPlan raw = SyncPlanner.plan(asIs, vms, nets, mine);
        List<Conflict> flagged = new ArrayList<>(raw.conflicts());
        List<Claimed> claimed = new ArrayList<>();
        List<Released> released = new ArrayList<>();
        List<VmPlan> plans = new ArrayList<>();
        for (VmPlan p : raw.vms()) {
            List<SyncStep> kept = new ArrayList<>();
            for (SyncStep s : p.steps()) {
                switch (s) {
                    case SyncStep.DefineMac d -> { }
                    case SyncStep.Start d -> {
                        if (source != Source.LIBVIRT) {
                            kept.add(d);
                        }
                    }
                    case SyncStep.Stop d -> {
                        if (source != Source.LIBVIRT) {
                            kept.add(d);
                        }
                    }
                    case SyncStep.CreateVm c -> {
                        kept.add(c);
                        c.nics().forEach(n -> claimed.add(new Claimed(c.vm(), n.name(), n.mac(), n.network())));
                    }
                    case SyncStep.AddNic a -> {
                        kept.add(a);
                        claimed.add(new Claimed(a.vm(), a.nic().name(), a.nic().mac(), a.nic().network()));
                    }
                    case SyncStep.SetMac m -> {
                        kept.add(m);
                        claimed.add(new Claimed(m.vm(), m.nic(), m.mac(), byName.get(m.vm()).nic(m.nic()).map(Nic::network).orElse(null)));
                    }
                    case SyncStep.RemoveNic r -> {
                        Nic nic = byName.get(r.vm()).nic(r.nic()).orElseThrow();
                        if (mayRelease(r.vm(), nic, nets, sightings, flagged)) {
                            kept.add(r);
                            released.add(new Released(r.vm(), nic.name(), nic.mac(), nic.ip(), nic.network()));
                        }
                    }
                    case SyncStep.DeleteVm d -> {
                        Vm vm = byName.get(d.vm());
                        boolean all = true;
                        for (Nic nic : vm.nics()) {
                            all &= mayRelease(d.vm(), nic, nets, sightings, flagged);
                        }
                        if (all) {
                            kept.add(d);
                            vm.nics().forEach(n -> released.add(new Released(vm.name(), n.name(), n.mac(), n.ip(), n.network())));
                        }
                    }
                }
            }
            SyncPlan.Action action = kept.isEmpty() && p.action() != SyncPlan.Action.CREATED ? SyncPlan.Action.UNCHANGED : p.action();
            plans.add(new VmPlan(p.name(), p.uuid(), action, p.nics(), kept));
        }
        SyncPlan plan = new SyncPlan(plans, flagged);
        if (dryRun) {
            return new Result(true, false, plan, claimed, released, flagged, List.of());
        }
        Result r = apply(source, plan, claimed, released, flagged);
        if (r.applied() && !sightings.isEmpty()) {
            List<String> errors = new ArrayList<>(r.errors());
            report(sightings, errors);
            r = new Result(false, true, plan, claimed, released, flagged, errors);
        }
        return r;
    }

    /** A real run hands the VMIs' interfaces to the inventory as KubeVirt guest reports (drift, observed IPs). */
    private void report(List<Sighting> sightings, List<String> errors) {
        Map<String, List<GuestInterface>> byVm = new LinkedHashMap<>();
        for (Sighting s : sightings.stream().filter(x -> x.nic() != null).toList()) {
            byVm.computeIfAbsent(s.vm(), k -> new ArrayList<>()).add(new GuestInterface(s.nic(), null, s.mac(), s.ips()));
        }
        byVm.forEach((vm, interfaces) -> {
            if (inventory.find(vm).isPresent()) {
                try {
                    inventory.report(vm, new GuestReport(GuestReport.KUBEVIRT, clock.instant(), interfaces));
                } catch (RuntimeException e) {
                    errors.add(vm + ": status.interfaces not recorded: " + e.getMessage());
                }
            }
        });
    }

    private boolean mayRelease(String vm, Nic nic, List<NetworkSpec> nets, List<Sighting> sightings, List<Conflict> flagged) {
        Optional<Sighting> live = sightings.stream().filter(s -> s.mac().equals(nic.mac()) || s.mac().equals(nic.pendingMac()))
                .findFirst();
        if (live.isPresent()) {
            flagged.add(new Conflict(vm, nic.name(), SEEN_RECENTLY, live.get().mac(),
                    "no manifest has this NIC, but its MAC is live in " + live.get().where() + ": " + nic.ip() + " is kept",
                    "once the VMI no longer shows it (hot-unplug done, VM restarted), run reconcile again"));
            return false;
        }
        Duration leaseTime = nets.stream().filter(n -> n.name().equals(nic.network())).findFirst().map(NetworkSpec::leaseTime)
                .orElse(Duration.ZERO);
        Instant seen = nic.observed() == null ? null : nic.observed().at();
        if (nic.ip() != null) {
            for (MacAddress m : new MacAddress[] {nic.mac(), nic.pendingMac()}) {
                if (m != null) {
                    Optional<Instant> dhcp = lastSeen.lastSeen(nic.network(), nic.ip(), m);
                    if (dhcp.isPresent() && (seen == null || dhcp.get().isAfter(seen))) {
                        seen = dhcp.get();
                    }
                }
            }
        }
        Instant now = clock.instant();
        if (seen != null && seen.plus(leaseTime).isAfter(now)) {
            flagged.add(new Conflict(vm, nic.name(), SEEN_RECENTLY, nic.mac(),
                    "no domain has this NIC, but its holder was seen at " + seen + ", within the lease time (" + leaseTime
                            + ") of network " + nic.network() + ": " + nic.ip() + " is kept",
                    "if the VM is really gone, run reconcile again after " + seen.plus(leaseTime)
                            + ", or delete it: vmaddr vm delete " + vm));
            return false;
        }
        return true;
    }

    private Result apply(Source source, SyncPlan plan, List<Claimed> claimed, List<Released> released, List<Conflict> flagged) {
        List<Runnable> undo = new ArrayList<>();
        try {
            for (VmPlan p : plan.vms()) {
                for (SyncStep s : p.steps()) {
                    switch (s) {
                        case SyncStep.CreateVm c -> {
                            inventory.create(c.vm(), null, c.nics());
                            managed.manage(c.vm(), source.uri(), p.uuid());
                            undo.add(() -> {
                                inventory.delete(c.vm());
                                managed.forget(c.vm());
                            });
                        }
                        case SyncStep.AddNic a -> {
                            inventory.addNic(a.vm(), a.nic());
                            undo.add(() -> inventory.removeNic(a.vm(), a.nic().name()));
                        }
                        case SyncStep.SetMac m -> {
                            Nic before = inventory.get(m.vm()).nic(m.nic()).orElseThrow();
                            inventory.setMac(m.vm(), m.nic(), m.mac());
                            MacAddress back = before.pendingMac() != null ? before.pendingMac() : before.mac();
                            undo.add(() -> inventory.setMac(m.vm(), m.nic(), back));
                        }
                        case SyncStep.Start st -> {
                            inventory.start(st.vm(), st.applyPending());
                            undo.add(() -> inventory.stop(st.vm()));
                        }
                        case SyncStep.Stop st -> {
                            inventory.stop(st.vm());
                            undo.add(() -> inventory.start(st.vm()));
                        }
                        default -> { }
                    }
                }
            }
        } catch (RuntimeException e) {
            for (Runnable u : undo.reversed()) {
                try {
                    u.run();
                } catch (RuntimeException again) {
                    LOG.warn(LogEvents.LIBVIRT_STEP_FAILED + " step=undo error=\"{}\"", again.getMessage());
                }
            }
            return new Result(false, false, plan, claimed, List.of(), flagged,
                    List.of("nothing applied: " + e.getMessage()));
        }
        List<String> errors = new ArrayList<>();
        for (VmPlan p : plan.vms()) {
            for (SyncStep s : p.steps()) {
                try {
                    switch (s) {
                        case SyncStep.RemoveNic r -> inventory.removeNic(r.vm(), r.nic());
                        case SyncStep.DeleteVm d -> inventory.delete(d.vm());
                        default -> { }
                    }
                } catch (RuntimeException e) {
                    errors.add(p.name() + ": " + e.getMessage());
                }
            }
            if (p.action() == SyncPlan.Action.REMOVED && p.steps().stream().anyMatch(x -> x instanceof SyncStep.DeleteVm)) {
                managed.forget(p.name());
            }
        }
        LOG.info(LogEvents.LIBVIRT_RECONCILED + " from={} claimed={} released={} flagged={} errors={}",
                source.name().toLowerCase(java.util.Locale.ROOT), claimed.size(), released.size(),
                flagged.size(), errors.size());
        return new Result(false, true, plan, claimed, released, flagged, errors);
    }
}
