package dev.vmaddr.vm;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.ReleasePolicy;
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
                LOG.info(LogEvents.VM_CREATED + " vm={} host={} nics={}", name, host, nics.size());
                return vm;
            } catch (RuntimeException e) {
                nics.forEach(n -> identity.giveBack(name, n, true));
                throw e;
            }
        });
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
                history.event(now, n.network(), n.ip(), n.mac(), Vm.owner(name, n.name()), "vm-host-changed:" + host);
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
