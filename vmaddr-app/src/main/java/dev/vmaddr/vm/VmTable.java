package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.log.LogEvents;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed VMs: the one owner of the in-memory VMs, their per-VM locks and the {@link MacIndex}.
 * Every part of the inventory changes a VM through {@link #commit}, under {@link #locked}.
 *
 * <p>Durability: {@link #commit} writes the VM's document before the VM becomes visible here, so
 * the map is a cache of the documents and a restart loads exactly what was committed.
 *
 * <p>Concurrency: changes to one VM are serialized by a lock per VM name (kept for the table's
 * life, one small object per name ever used); different VMs change in parallel. Reads take no lock
 * and see the last committed state.
 */
final class VmTable {
    private static final Logger LOG = LoggerFactory.getLogger(VmTable.class);

    private final VmRepository repository;
    private final Consumer<MacIndex.TakenMac> macTaken;
    private final ConcurrentHashMap<String, Vm> vms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final MacIndex index = new MacIndex();

    /**
     * @param macTaken hears each MAC a NIC takes (created with it, set as pending) once the VM is
     *                 committed; its failure is logged and never fails the commit
     */
    VmTable(VmRepository repository, Consumer<MacIndex.TakenMac> macTaken) {
        this.repository = repository;
        this.macTaken = macTaken;
        for (Vm vm : repository.loadAll()) {
            vms.put(vm.name(), vm);
            index.reindex(null, vm);
        }
    }

    List<Vm> list() {
        return vms.values().stream().sorted(Comparator.comparing(Vm::name)).toList();
    }

    Optional<Vm> find(String name) {
        return Optional.ofNullable(vms.get(name));
    }

    Vm get(String name) {
        Vm vm = vms.get(name);
        if (vm == null) {
            throw VmException.notFound("vm " + name);
        }
        return vm;
    }

    static Nic nic(Vm vm, String nicName) {
        return vm.nic(nicName).orElseThrow(() -> VmException.notFound("nic " + nicName + " of vm " + vm.name()));
    }

    /** Whether {@code mac} is some NIC's spec or pending MAC (a lookup in memory). */
    boolean ownsMac(MacAddress mac) {
        return index.contains(mac);
    }

    /** The VM whose NIC has {@code mac} as its spec or pending MAC. */
    Optional<String> vmOf(MacAddress mac) {
        return index.vmOf(mac);
    }

    /** The NIC on {@code network} that has {@code mac} as its spec or pending MAC. */
    Optional<Nic> nicOn(String network, MacAddress mac) {
        return index.vmOf(mac).map(vms::get).flatMap(vm -> vm.nics().stream()
                .filter(n -> n.network().equals(network) && n.owns(mac)).findFirst());
    }

    <T> T locked(String name, Supplier<T> action) {
        ReentrantLock lock = locks.computeIfAbsent(name, k -> new ReentrantLock());
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the VM's document, then shows it; {@code event} (from {@link dev.vmaddr.log.LogEvents})
     * names the change in the DEBUG line. Called under the VM's lock.
     */
    Vm commit(Vm vm, String event) {
        repository.save(vm);
        List<MacIndex.TakenMac> taken = index.reindex(vms.put(vm.name(), vm), vm);
        LOG.debug("{} vm={} state={}", event, vm.name(), vm.state().wireName());
        for (MacIndex.TakenMac t : taken) {
            try {
                macTaken.accept(t);
            } catch (RuntimeException e) {
                // The VM is committed: failing now would make the caller roll back what the stored VM
                // holds. A record left behind is hidden from reads and goes when the MAC is taken next.
                LOG.warn(LogEvents.VM_UNKNOWN_MAC_FORGET_FAILED + " network={} mac={} error=\"{}\"", t.network(), t.mac(),
                        e.getMessage());
            }
        }
        return vm;
    }

    /** Deletes the VM's document, then forgets it. Called under the VM's lock. */
    void delete(String name) {
        repository.delete(name);
        index.reindex(vms.remove(name), null);
    }

    /** The VM with {@code nic} in place of its NIC of the same name. */
    static Vm replace(Vm vm, Nic nic, java.time.Instant now) {
        List<Nic> nics = new ArrayList<>();
        for (Nic n : vm.nics()) {
            nics.add(n.name().equals(nic.name()) ? nic : n);
        }
        return vm.with(vm.state(), nics, now);
    }
}
