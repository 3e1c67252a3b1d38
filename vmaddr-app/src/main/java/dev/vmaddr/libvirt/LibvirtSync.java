package dev.vmaddr.libvirt;

import dev.vmaddr.libvirt.SyncPlan.Conflict;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.GuestReports;
import dev.vmaddr.vm.VmInventory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One libvirt connection kept in step with the VM inventory: {@link #pass} reads the domains, plans
 * ({@link SyncPlanner}) and applies ({@link SyncApplier}, pending MACs into shut-off definitions by
 * {@link DomainMacWriter}); {@link #tick} is the background loop's body, which also asks the guest
 * agents ({@link GuestObserver}).
 *
 * <p>Passes are serialized (the loop and {@code vmaddr libvirt sync} through the API). libvirtd gone
 * is a state, not an error per interval: {@link #up()} turns false, it is logged once, and the next
 * tick that reaches libvirtd logs that it is back and syncs. Nothing here runs on the DHCP path.
 */
public final class LibvirtSync {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtSync.class);

    private final Virsh virsh;
    private final VmInventory inventory;
    private final ManagedDomains managed;
    private final Supplier<List<NetworkSpec>> networks;
    private final GuestObserver guests;
    private final SyncApplier applier;
    private volatile boolean up = true;
    private volatile boolean everReached;
    /** Conflicts of the last applied pass, by VM: drift kind mac-conflict reads them. */
    private final Map<String, List<Conflict>> conflicts = new ConcurrentHashMap<>();
    private Set<String> announced = Set.of();

    public LibvirtSync(Virsh virsh, VmInventory inventory, ManagedDomains managed, Supplier<List<NetworkSpec>> networks,
                       GuestReports reports) {
        this.virsh = virsh;
        this.inventory = inventory;
        this.managed = managed;
        this.networks = networks;
        this.guests = new GuestObserver(virsh, inventory, reports);
        this.applier = new SyncApplier(inventory, managed);
    }

    public String uri() {
        return virsh.uri();
    }

    /** One pass: read, plan, and (unless dry) apply. Throws {@link LibvirtException} when libvirt cannot be read. */
    public synchronized SyncResult pass(boolean dryRun) {
        List<Domain> domains = virsh.domains();
        return apply(domains, dryRun);
    }

    private SyncResult apply(List<Domain> domains, boolean dryRun) {
        SyncPlan plan = SyncPlanner.plan(domains, inventory.list(), networks.get(), managed.names(virsh.uri()));
        if (dryRun) {
            return SyncResult.dry(plan);
        }
        SyncResult result = applier.apply(plan, virsh.uri(), new DomainMacWriter(virsh));
        remember(result.conflicts());
        long changed = plan.vms().stream().filter(v -> v.action() != SyncPlan.Action.UNCHANGED).count();
        if (changed > 0 || !result.errors().isEmpty()) {
            LOG.info(LogEvents.LIBVIRT_SYNCED + " uri={} changed={} conflicts={} errors={}", virsh.uri(), changed,
                    result.conflicts().size(), result.errors().size());
        }
        return result;
    }

    /** The background loop's body: a pass, then the guest agents. Never throws. */
    public void tick() {
        List<Domain> domains;
        synchronized (this) {
            try {
                domains = virsh.domains();
                apply(domains, false);
            } catch (LibvirtException e) {
                if (up) {
                    LOG.warn(LogEvents.LIBVIRT_UNREACHABLE + " uri={} error=\"{}\"", virsh.uri(), e.getMessage());
                }
                up = false;
                return;
            } catch (RuntimeException e) {
                // the store or the inventory failed mid-pass: the next tick plans again from what is there
                LOG.warn(LogEvents.LIBVIRT_STEP_FAILED + " uri={} error=\"{}\"", virsh.uri(), e.toString());
                return;
            }
            if (!up || !everReached) {
                LOG.info(LogEvents.LIBVIRT_REACHABLE + " uri={} domains={}", virsh.uri(), domains.size());
            }
            up = true;
            everReached = true;
        }
        guests.observe(domains);
    }

    /** Whether the last tick reached libvirtd (true before the first). */
    public boolean up() {
        return up;
    }

    /** The conflicts the last applied pass left on {@code vm}. */
    public List<Conflict> conflicts(String vm) {
        return conflicts.getOrDefault(vm, List.of());
    }

    /** The VM's {@code mac-conflict}s as drift findings, for {@link dev.vmaddr.vm.VmDrift#addSource}. */
    public List<dev.vmaddr.vm.DriftFinding> driftFindings(dev.vmaddr.vm.Vm vm) {
        return conflicts(vm.name()).stream().filter(c -> SyncPlan.MAC_CONFLICT.equals(c.kind()))
                .map(c -> new dev.vmaddr.vm.DriftFinding(c.nic(), dev.vmaddr.vm.DriftKind.MAC_CONFLICT, null,
                        c.mac() == null ? c.detail() : c.mac().toString(), c.detail() + ": " + c.fix()))
                .toList();
    }

    private void remember(List<Conflict> all) {
        Map<String, List<Conflict>> byVm = new ConcurrentHashMap<>();
        Set<String> keys = new HashSet<>();
        for (Conflict c : all) {
            byVm.computeIfAbsent(c.vm(), k -> new ArrayList<>()).add(c);
            String key = c.vm() + "|" + c.nic() + "|" + c.kind() + "|" + c.mac();
            keys.add(key);
            if (!announced.contains(key)) {
                LOG.warn(LogEvents.LIBVIRT_CONFLICT + " vm={} nic={} kind={} mac={} detail=\"{}\"", c.vm(), c.nic(), c.kind(),
                        c.mac(), c.detail());
            }
        }
        announced = keys;
        conflicts.keySet().retainAll(byVm.keySet());
        conflicts.putAll(byVm);
    }
}
