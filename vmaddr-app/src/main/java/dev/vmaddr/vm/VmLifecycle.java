package dev.vmaddr.vm;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.store.HistoryKinds;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VMs and their NICs come and go: create, start, restart, stop, delete, host changes, NICs added
 * and removed.
 *
 * <p>Identity ({@link NicIdentity}) belongs to the NIC, not to a host or a process. Start, stop,
 * restart, {@link #migrate host changes} and live migration keep it; it goes back only as the
 * network's {@code release} policy says: {@code on-stop} at stop (a fresh MAC and address at the
 * next start), {@code on-delete} when the NIC or VM is deleted, {@code never} not at all. A NIC gets
 * its MAC and address when it is created, even though a new VM is stopped, so the create answer
 * already shows them. A (re)start applies pending MAC changes ({@link MacChanges#apply}).
 */
final class VmLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(VmLifecycle.class);

    private final VmTable table;
    private final NicIdentity identity;
    private final MacChanges macChanges;
    private final VmRepository history;
    private final Clock clock;

    VmLifecycle(VmTable table, NicIdentity identity, MacChanges macChanges, VmRepository history, Clock clock) {
        this.table = table;
        this.identity = identity;
        this.macChanges = macChanges;
        this.history = history;
        this.clock = clock;
    }

    Vm create(String name, String host, List<NicRequest> nicRequests) {
        VmInputChecks.name("name", name);
        VmInputChecks.host(host);
        List<NicRequest> requests = nicRequests == null ? List.of() : nicRequests;
        VmInputChecks.nics(requests);
        return table.locked(name, () -> {
            if (table.find(name).isPresent()) {
                throw VmException.conflict("vm " + name + " exists");
            }
            List<Nic> nics = new ArrayList<>();
            try {
                for (int i = 0; i < requests.size(); i++) {
                    nics.add(identity.create(name, requests.get(i), "nics[" + i + "].mac"));
                }
                Instant now = clock.instant();
                Vm vm = table.commit(new Vm(name, host, VmState.STOPPED, nics, null, now, now), LogEvents.VM_CREATED);
                history.event(now, null, null, null, "vm/" + name, HistoryKinds.VM_CREATED, host == null ? null : "on host " + host);
                LOG.info(LogEvents.VM_CREATED + " vm={} host={} nics={}", name, host, nics.size());
                return vm;
            } catch (RuntimeException e) {
                nics.forEach(n -> identity.giveBack(name, n, true));
                throw e;
            }
        });
    }

    /**
     * A new VM {@code name} made from VM {@code source} (a clone, or a restore from a backup taken as
     * a new VM: harvester#4474/#4473): the same NICs on the same networks. Its NICs get new MACs and
     * addresses, so the copy and the original never share an identity on the wire. With
     * {@code keepMacs} the copy takes over the source's MACs instead, and with them their reserved
     * addresses and leases (both belong to the MAC): a restore that replaces its source. That is
     * refused while the source runs (two machines would then carry one MAC); the source keeps its
     * NICs without MAC or address and gets new ones if it is ever started again.
     *
     * @param host null: the source's host
     */
    Vm cloneOf(String name, String host, String source, boolean keepMacs) {
        VmInputChecks.name("name", name);
        if (name.equals(source)) {
            throw VmException.badInput("cloneOf", "a VM cannot be a clone of itself");
        }
        Vm original = table.find(source).orElseThrow(() -> VmException.badInput("cloneOf", "no VM named " + source));
        String onHost = host != null ? host : original.host();
        if (!keepMacs) {
            List<NicRequest> requests = original.nics().stream().map(n -> new NicRequest(n.name(), n.network(), null)).toList();
            Vm vm = create(name, onHost, requests);
            LOG.info(LogEvents.VM_CLONED + " vm={} source={} keepMacs=false nics={}", name, source, vm.nics().size());
            return vm;
        }
        VmInputChecks.host(onHost);
        // both VMs change: lock them in name order, so two clones in opposite directions cannot deadlock
        String first = name.compareTo(source) < 0 ? name : source;
        String second = first.equals(name) ? source : name;
        return table.locked(first, () -> table.locked(second, () -> takeOver(name, onHost, source)));
    }

    /** {@link #cloneOf} with {@code keepMacs}, under both VMs' locks. */
    private Vm takeOver(String name, String host, String source) {
        if (table.find(name).isPresent()) {
            throw VmException.conflict("vm " + name + " exists");
        }
        Vm original = table.find(source).orElseThrow(() -> VmException.badInput("cloneOf", "no VM named " + source));
        if (original.state() != VmState.STOPPED) {
            throw VmException.conflict("vm " + source + " is " + original.state().wireName() + ": a copy that keeps its MACs (keepMacs)"
                    + " replaces it, so stop it first (POST /api/v1/vms/" + source + "/stop); or make the copy without keepMacs:"
                    + " it then gets new MACs");
        }
        List<Nic> taken = new ArrayList<>();
        List<Nic> created = new ArrayList<>();
        List<Nic> mine = new ArrayList<>();
        List<Nic> left = new ArrayList<>();
        try {
            for (Nic n : original.nics()) {
                if (n.mac() == null) {
                    // gave its identity back at stop (on-stop network): the copy gets a fresh one
                    Nic fresh = identity.create(name, new NicRequest(n.name(), n.network(), null), "nics");
                    created.add(fresh);
                    mine.add(fresh);
                    left.add(n);
                } else {
                    mine.add(identity.handOver(source, name, n));
                    taken.add(n);
                    left.add(n.withMac(null, n.pendingMac(), null));
                }
            }
            Instant now = clock.instant();
            // the source first: should the copy's commit fail, no two documents claim one MAC
            table.commit(original.with(original.state(), left, now), LogEvents.VM_CLONED);
            try {
                Vm vm = table.commit(new Vm(name, host, VmState.STOPPED, mine, null, now, now), LogEvents.VM_CREATED);
                LOG.info(LogEvents.VM_CLONED + " vm={} source={} keepMacs=true nics={}", name, source, mine.size());
                return vm;
            } catch (RuntimeException e) {
                table.commit(original, LogEvents.VM_CLONED);
                throw e;
            }
        } catch (RuntimeException e) {
            taken.forEach(n -> identity.handBack(source, name, n));
            created.forEach(n -> identity.giveBack(name, n, true));
            throw e;
        }
    }

    Vm start(String name) {
        return start(name, n -> true);
    }

    /**
     * A start where only the NICs {@code applyPending} accepts make their pending MAC the spec; the
     * others keep it pending. For a hypervisor that booted the VM without it (libvirt: the
     * definition did not carry it yet), so the record never claims a MAC that is not on the wire.
     */
    Vm start(String name, java.util.function.Predicate<Nic> applyPending) {
        return table.locked(name, () -> {
            Vm vm = table.get(name);
            if (vm.state() == VmState.RUNNING) {
                return vm;
            }
            return table.commit(booted(vm, bringUp(vm, applyPending)), LogEvents.VM_STARTED);
        });
    }

    Vm restart(String name) {
        return table.locked(name, () -> {
            Vm vm = table.get(name);
            return table.commit(booted(vm, bringUp(vm, n -> true)), LogEvents.VM_RESTARTED);
        });
    }

    Vm stop(String name) {
        return table.locked(name, () -> {
            Vm vm = table.get(name);
            if (vm.state() == VmState.STOPPED) {
                return vm;
            }
            List<Nic> nics = eachNic(vm, n -> identity.policy(n) == ReleasePolicy.ON_STOP ? identity.giveBack(name, n, false) : n);
            return table.commit(vm.with(VmState.STOPPED, nics, clock.instant()), LogEvents.VM_STOPPED);
        });
    }

    void delete(String name) {
        table.locked(name, () -> {
            Vm vm = table.get(name);
            for (Nic n : vm.nics()) {
                if (identity.policy(n) != ReleasePolicy.NEVER) {
                    identity.giveBack(name, n, true);
                }
            }
            table.delete(name);
            history.event(clock.instant(), null, null, null, "vm/" + name, HistoryKinds.VM_DELETED);
            LOG.info(LogEvents.VM_DELETED + " vm={}", name);
            return null;
        });
    }

    /** The VM now runs on {@code host} (moved, or live-migrated): nothing about its NICs changes. */
    Vm migrate(String name, String host) {
        VmInputChecks.host(host);
        return table.locked(name, () -> {
            Vm vm = table.get(name);
            Instant now = clock.instant();
            for (Nic n : vm.nics()) {
                history.event(now, n.network(), n.ip(), n.mac(), Vm.owner(name, n.name()), HistoryKinds.VM_MIGRATED,
                        "to host " + host);
            }
            return table.commit(vm.withHost(host, now), LogEvents.VM_MIGRATED);
        });
    }

    Vm addNic(String vmName, NicRequest request) {
        VmInputChecks.nic("nic", request);
        return table.locked(vmName, () -> {
            Vm vm = table.get(vmName);
            if (vm.nic(request.name()).isPresent()) {
                throw VmException.conflict("vm " + vmName + " has a nic " + request.name());
            }
            Nic nic = identity.create(vmName, request, "mac");
            List<Nic> nics = new ArrayList<>(vm.nics());
            nics.add(nic);
            try {
                return table.commit(vm.with(vm.state(), nics, clock.instant()), LogEvents.VM_NIC_ADDED);
            } catch (RuntimeException e) {
                identity.giveBack(vmName, nic, true);
                throw e;
            }
        });
    }

    Vm removeNic(String vmName, String nicName) {
        return table.locked(vmName, () -> {
            Vm vm = table.get(vmName);
            Nic nic = VmTable.nic(vm, nicName);
            if (identity.policy(nic) != ReleasePolicy.NEVER) {
                identity.giveBack(vmName, nic, true);
            }
            List<Nic> nics = new ArrayList<>(vm.nics());
            nics.remove(nic);
            return table.commit(vm.with(vm.state(), nics, clock.instant()), LogEvents.VM_NIC_REMOVED);
        });
    }

    /** At start or restart: pending MACs become spec, NICs that gave everything back get it anew. */
    private List<Nic> bringUp(Vm vm, java.util.function.Predicate<Nic> applyPending) {
        return eachNic(vm, n -> n.pendingMac() != null && applyPending.test(n) ? macChanges.apply(vm.name(), n)
                : identity.restore(vm.name(), n));
    }

    /**
     * Applies {@code step} to every NIC. When one fails, the NICs already changed are committed
     * (state unchanged) before the failure propagates, so the stored VM never forgets a MAC or an
     * address that moved.
     */
    private List<Nic> eachNic(Vm vm, UnaryOperator<Nic> step) {
        List<Nic> out = new ArrayList<>();
        for (int i = 0; i < vm.nics().size(); i++) {
            try {
                out.add(step.apply(vm.nics().get(i)));
            } catch (RuntimeException e) {
                List<Nic> partial = new ArrayList<>(out);
                partial.addAll(vm.nics().subList(i, vm.nics().size()));
                table.commit(vm.with(vm.state(), partial, clock.instant()), LogEvents.VM_PARTIAL);
                throw e;
            }
        }
        return out;
    }

    /**
     * The VM after a (re)boot: what guests reported before describes the previous boot (and MACs
     * that may just have changed), so observations and the last report are dropped until the new
     * boot reports.
     */
    private Vm booted(Vm vm, List<Nic> nics) {
        List<Nic> fresh = nics.stream().map(n -> n.withObserved(null)).toList();
        return vm.withReport(fresh, null, clock.instant()).with(VmState.RUNNING, fresh, clock.instant());
    }
}
