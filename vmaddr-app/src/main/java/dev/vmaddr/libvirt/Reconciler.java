package dev.vmaddr.libvirt;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.libvirt.SyncPlan.Conflict;
import dev.vmaddr.libvirt.SyncPlan.VmPlan;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import dev.vmaddr.vm.VmInventory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    public static final String SEEN_RECENTLY = "seen-recently";
    /** The "URI" VMs created by a reconcile are managed under: no sync deletes them, a later reconcile may. */
    static final String FILES = "reconcile:libvirt";

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

    public synchronized Result reconcile(List<Domain> domains, boolean dryRun) {
        List<Vm> vms = inventory.list();
        Map<String, Vm> byName = new HashMap<>();
        vms.forEach(v -> byName.put(v.name(), v));
        // Each domain in the state of its VM: the plan then starts and stops nothing.
        List<Domain> asIs = domains.stream().map(d -> d.withState(byName.containsKey(d.name())
                && byName.get(d.name()).state() == dev.vmaddr.vm.VmState.RUNNING ? Domain.RUNNING : Domain.SHUT_OFF)).toList();
        List<NetworkSpec> nets = networks.get();
        SyncPlan raw = SyncPlanner.plan(asIs, vms, nets, managed.allNames());
        List<Conflict> flagged = new ArrayList<>(raw.conflicts());
        List<Claimed> claimed = new ArrayList<>();
        List<Released> released = new ArrayList<>();
        List<VmPlan> plans = new ArrayList<>();
        for (VmPlan p : raw.vms()) {
            List<SyncStep> kept = new ArrayList<>();
            for (SyncStep s : p.steps()) {
                switch (s) {
                    case SyncStep.DefineMac d -> { }
                    case SyncStep.Start d -> { }
                    case SyncStep.Stop d -> { }
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
                        if (mayRelease(r.vm(), nic, nets, flagged)) {
                            kept.add(r);
                            released.add(new Released(r.vm(), nic.name(), nic.mac(), nic.ip(), nic.network()));
                        }
                    }
                    case SyncStep.DeleteVm d -> {
                        Vm vm = byName.get(d.vm());
                        boolean all = true;
                        for (Nic nic : vm.nics()) {
                            all &= mayRelease(d.vm(), nic, nets, flagged);
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
        return apply(plan, claimed, released, flagged);
    }

    private boolean mayRelease(String vm, Nic nic, List<NetworkSpec> nets, List<Conflict> flagged) {
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

    private Result apply(SyncPlan plan, List<Claimed> claimed, List<Released> released, List<Conflict> flagged) {
        List<Runnable> undo = new ArrayList<>();
        try {
            for (VmPlan p : plan.vms()) {
                for (SyncStep s : p.steps()) {
                    switch (s) {
                        case SyncStep.CreateVm c -> {
                            inventory.create(c.vm(), null, c.nics());
                            managed.manage(c.vm(), FILES, p.uuid());
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
        LOG.info(LogEvents.LIBVIRT_RECONCILED + " claimed={} released={} flagged={} errors={}", claimed.size(), released.size(),
                flagged.size(), errors.size());
        return new Result(false, true, plan, claimed, released, flagged, errors);
    }
}
