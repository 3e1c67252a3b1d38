package dev.vmaddr.libvirt;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.libvirt.SyncPlan.Action;
import dev.vmaddr.libvirt.SyncPlan.Conflict;
import dev.vmaddr.libvirt.SyncPlan.NicPlan;
import dev.vmaddr.libvirt.SyncPlan.VmPlan;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import dev.vmaddr.vm.VmInventory.NicRequest;
import dev.vmaddr.vm.VmState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Computes what keeps vmaddr's VMs in step with libvirt's domains (PRODUCT.md "libvirt"). Pure: the
 * domains, the VMs, the networks and which VMs libvirt manages in, a {@link SyncPlan} out; nothing
 * is read or written here, so the same plan is printed by a dry run, applied by {@link SyncApplier},
 * and checked by property tests.
 *
 * <p>The rules:
 * <ul>
 *   <li>A domain is the VM of the same name (an existing VM of that name is adopted). Its NICs are
 *       {@code nic0}, {@code nic1} … in domain order, or NAME for a user alias {@code ua-NAME}.</li>
 *   <li>An interface's network is the vmaddr network named like its libvirt {@code <source network>},
 *       else the one whose {@code bridge} is its source bridge; an interface on none is reported
 *       ({@code no-network}) and left alone.</li>
 *   <li>An interface belongs to the VM's NIC that owns its MAC (spec or pending; the NIC of the
 *       interface's own name first), else to the NIC of its name (then the definition's MAC becomes
 *       that NIC's pending MAC), else it is a new NIC ({@code NAME-1} when NAME followed its MAC to
 *       another interface); NICs left over were unplugged and go.</li>
 *   <li>A MAC that another VM's NIC holds, or that an earlier domain in this pass took, is never
 *       claimed twice: it is a {@code mac-conflict} and the interface is left out.</li>
 *   <li>The VM runs while the domain is active; a start applies only the pending MACs the domain
 *       booted with. A shut-off domain whose NIC has a pending MAC gets it written into its
 *       definition ({@link SyncStep.DefineMac}), never a running one.</li>
 *   <li>Only VMs libvirt manages ({@code managed}: created or adopted by an earlier sync) are deleted
 *       when their domain is gone; VMs made through the API are never touched.</li>
 * </ul>
 */
public final class SyncPlanner {
    private SyncPlanner() {}

    public static SyncPlan plan(List<Domain> domains, List<Vm> vms, List<NetworkSpec> networks, Set<String> managed) {
        Map<String, Vm> byName = new HashMap<>();
        Map<MacAddress, String> holders = new HashMap<>();
        for (Vm vm : vms) {
            byName.put(vm.name(), vm);
            for (Nic n : vm.nics()) {
                if (n.mac() != null) {
                    holders.put(n.mac(), Vm.owner(vm.name(), n.name()));
                }
                if (n.pendingMac() != null) {
                    holders.put(n.pendingMac(), Vm.owner(vm.name(), n.name()));
                }
            }
        }
        List<VmPlan> plans = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        Map<String, Domain> sorted = new TreeMap<>();
        for (Domain d : domains) {
            sorted.putIfAbsent(d.name(), d);
        }
        for (Domain d : sorted.values()) {
            plans.add(new DomainPlanner(d, byName.get(d.name()), networks, holders, conflicts).plan());
        }
        vms.stream().filter(vm -> managed.contains(vm.name()) && !sorted.containsKey(vm.name()))
                .sorted(Comparator.comparing(Vm::name))
                .forEach(vm -> plans.add(new VmPlan(vm.name(), null, Action.REMOVED,
                        vm.nics().stream().map(n -> new NicPlan(n.name(), n.mac(), n.network())).toList(),
                        List.of(new SyncStep.DeleteVm(vm.name())))));
        return new SyncPlan(plans, conflicts);
    }

    /** The vmaddr network of an interface: by libvirt network name, else by bridge. */
    static Optional<NetworkSpec> networkOf(DomainInterface i, List<NetworkSpec> networks) {
        if (i.network() != null) {
            Optional<NetworkSpec> named = networks.stream().filter(n -> n.name().equals(i.network())).findFirst();
            if (named.isPresent()) {
                return named;
            }
        }
        if (i.bridge() != null) {
            return networks.stream().filter(n -> i.bridge().equals(n.bridge())).findFirst();
        }
        return Optional.empty();
    }

    /** One domain against its VM (null when there is none yet). */
    private static final class DomainPlanner {
        private final Domain d;
        private final Vm vm;
        private final List<NetworkSpec> networks;
        private final Map<MacAddress, String> holders;
        private final List<Conflict> conflicts;
        private final List<SyncStep> steps = new ArrayList<>();
        private final List<NicPlan> nics = new ArrayList<>();

        DomainPlanner(Domain d, Vm vm, List<NetworkSpec> networks, Map<MacAddress, String> holders, List<Conflict> conflicts) {
            this.d = d;
            this.vm = vm;
            this.networks = networks;
            this.holders = holders;
            this.conflicts = conflicts;
        }

        VmPlan plan() {
            // Interfaces vmaddr manages, by the NIC name they get, in domain order.
            Map<String, Integer> wanted = new LinkedHashMap<>();
            Map<String, NetworkSpec> networkOf = new HashMap<>();
            for (int k = 0; k < d.interfaces().size(); k++) {
                DomainInterface i = d.interfaces().get(k);
                String name = i.userAliasName() != null ? i.userAliasName() : "nic" + k;
                Optional<NetworkSpec> net = networkOf(i, networks);
                if (net.isEmpty()) {
                    conflicts.add(new Conflict(d.name(), name, SyncPlan.NO_NETWORK, i.mac(),
                            "interface " + k + " (" + describe(i) + ") is on no vmaddr network",
                            "add a vmaddr network with bridge: " + (i.bridge() != null ? i.bridge() : "BRIDGE")
                                    + (i.network() != null ? " or named " + i.network() : "")
                                    + ", or leave the interface to whoever serves it"));
                    continue;
                }
                if (wanted.containsKey(name)) {
                    conflicts.add(new Conflict(d.name(), name, SyncPlan.DUPLICATE_NIC, i.mac(),
                            "interfaces " + wanted.get(name) + " and " + k + " are both named " + name,
                            "give one of them another user alias: <alias name='ua-OTHER'/>"));
                    continue;
                }
                wanted.put(name, k);
                networkOf.put(name, net.get());
            }
            Set<String> applyPending = new HashSet<>();
            if (vm == null) {
                List<NicRequest> requests = new ArrayList<>();
                wanted.forEach((name, k) -> {
                    DomainInterface i = d.interfaces().get(k);
                    if (claimable(name, i.mac())) {
                        requests.add(new NicRequest(name, networkOf.get(name).name(), i.mac()));
                        nics.add(new NicPlan(name, i.mac(), networkOf.get(name).name()));
                    }
                });
                steps.add(new SyncStep.CreateVm(d.name(), requests));
                if (d.active()) {
                    steps.add(new SyncStep.Start(d.name(), Set.of()));
                }
                return new VmPlan(d.name(), d.uuid(), Action.CREATED, nics, steps);
            }
            Set<String> matchedNics = new HashSet<>();
            Map<String, Integer> interfaceOfNic = new HashMap<>();
            List<String> unmatched = new ArrayList<>();
            // Interfaces whose MAC the NIC of their own name owns are paired first (a stable sort keeps
            // domain order otherwise). With one MAC on two interfaces of a domain, domain order alone
            // let an earlier interface (one left out for a conflict) take the NIC made for the later
            // one, so the next pass paired differently and unplugged a NIC: no fixpoint.
            List<Map.Entry<String, Integer>> order = new ArrayList<>(wanted.entrySet());
            order.sort(Comparator.comparing((Map.Entry<String, Integer> e) -> !ownedByNicOfItsName(e.getKey(), e.getValue())));
            for (Map.Entry<String, Integer> e : order) {
                MacAddress mac = d.interfaces().get(e.getValue()).mac();
                Optional<Nic> owner = mac == null ? Optional.empty()
                        : vm.nics().stream().filter(n -> !matchedNics.contains(n.name()) && n.owns(mac)).findFirst();
                if (owner.isPresent()) {
                    matchedNics.add(owner.get().name());
                    interfaceOfNic.put(owner.get().name(), e.getValue());
                    if (mac.equals(owner.get().pendingMac())) {
                        applyPending.add(owner.get().name());
                    }
                    nics.add(new NicPlan(owner.get().name(), mac, owner.get().network()));
                    checkNetwork(owner.get(), networkOf.get(e.getKey()));
                } else {
                    unmatched.add(e.getKey());
                }
            }
            List<String> toAdd = new ArrayList<>();
            for (String name : unmatched) {
                int k = wanted.get(name);
                DomainInterface i = d.interfaces().get(k);
                Optional<Nic> same = vm.nic(name).filter(n -> !matchedNics.contains(n.name()));
                if (same.isPresent()) {
                    matchedNics.add(name);
                    interfaceOfNic.put(name, k);
                    if (!checkNetwork(same.get(), networkOf.get(name))) {
                        continue;
                    }
                    if (i.mac() != null && claimable(name, i.mac())) {
                        steps.add(new SyncStep.SetMac(d.name(), name, i.mac()));
                        applyPending.add(name);
                        nics.add(new NicPlan(name, i.mac(), same.get().network()));
                    }
                } else {
                    toAdd.add(name);
                }
            }
            for (Nic n : vm.nics()) {
                if (!matchedNics.contains(n.name())) {
                    steps.add(new SyncStep.RemoveNic(d.name(), n.name()));
                }
            }
            for (String name : toAdd) {
                DomainInterface i = d.interfaces().get(wanted.get(name));
                String nicName = vm.nic(name).isPresent() ? freeName(name) : name;
                if (claimable(nicName, i.mac())) {
                    steps.add(new SyncStep.AddNic(d.name(), new NicRequest(nicName, networkOf.get(name).name(), i.mac())));
                    nics.add(new NicPlan(nicName, i.mac(), networkOf.get(name).name()));
                }
            }
            if (d.active() && vm.state() == VmState.STOPPED) {
                steps.add(new SyncStep.Start(d.name(), Set.copyOf(applyPending)));
            } else if (!d.active() && vm.state() == VmState.RUNNING) {
                steps.add(new SyncStep.Stop(d.name()));
            }
            if (!d.active()) {
                for (Nic n : vm.nics()) {
                    Integer k = interfaceOfNic.get(n.name());
                    MacAddress now = k == null ? null : d.interfaces().get(k).mac();
                    if (k != null && n.pendingMac() != null && now != null && !n.pendingMac().equals(now)) {
                        steps.add(new SyncStep.DefineMac(d.name(), n.name(), k, now, n.pendingMac()));
                    }
                }
            }
            return new VmPlan(d.name(), d.uuid(), steps.isEmpty() ? Action.UNCHANGED : Action.UPDATED, nics, steps);
        }

        private boolean ownedByNicOfItsName(String name, int k) {
            MacAddress mac = d.interfaces().get(k).mac();
            return vm.nic(name).map(n -> n.owns(mac)).orElse(false);
        }

        /** A NIC name the VM does not use yet: {@code name-1}, {@code name-2} ... */
        private String freeName(String name) {
            for (int n = 1; ; n++) {
                String candidate = name + "-" + n;
                if (vm.nic(candidate).isEmpty()) {
                    return candidate;
                }
            }
        }

        /** Whether the NIC keeps the same vmaddr network; a conflict when it moved. */
        private boolean checkNetwork(Nic nic, NetworkSpec now) {
            if (nic.network().equals(now.name())) {
                return true;
            }
            conflicts.add(new Conflict(d.name(), nic.name(), SyncPlan.NETWORK_CHANGED, nic.mac(),
                    "the interface moved from vmaddr network " + nic.network() + " to " + now.name(),
                    "move the NIC: vmaddr nic remove " + d.name() + " " + nic.name() + ", then the next sync adds it on "
                            + now.name() + " (its MAC stays quarantined meanwhile; give the interface a new MAC)"));
            return false;
        }

        /** Whether {@code mac} may be claimed for this domain's NIC: null (the pool picks) or held by nobody else. */
        private boolean claimable(String nic, MacAddress mac) {
            if (mac == null) {
                return true;
            }
            String me = Vm.owner(d.name(), nic);
            String holder = holders.get(mac);
            if (holder != null && !holder.equals(me)) {
                conflicts.add(new Conflict(d.name(), nic, SyncPlan.MAC_CONFLICT, mac,
                        "MAC " + mac + " of domain " + d.name() + " is held by " + holder,
                        "give the domain's interface a new MAC (virsh edit " + d.name()
                                + ": remove its <mac> line and libvirt picks one; or one from vmaddr: vmaddr mac allocate),"
                                + " or, if the domain was cloned, undefine the clone"));
                return false;
            }
            holders.put(mac, me);
            return true;
        }

        private static String describe(DomainInterface i) {
            return "type " + i.type() + (i.network() != null ? ", network " + i.network() : "")
                    + (i.bridge() != null ? ", bridge " + i.bridge() : "");
        }
    }
}
