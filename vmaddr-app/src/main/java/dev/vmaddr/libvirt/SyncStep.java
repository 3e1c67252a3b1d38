package dev.vmaddr.libvirt;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.List;
import java.util.Set;

/**
 * One change a sync makes to vmaddr's VM inventory (or, for {@link DefineMac}, to a domain
 * definition). {@link SyncApplier} applies them in plan order.
 */
public sealed interface SyncStep {
    String vm();

    /** A domain without a VM: a VM of the same name with its NICs and their (claimed) MACs. */
    record CreateVm(String vm, List<NicRequest> nics) implements SyncStep {}

    /** A new interface (hot-plug, or added to the definition). */
    record AddNic(String vm, NicRequest nic) implements SyncStep {}

    /** An interface gone from the domain: the NIC goes, giving back per its network's policy. */
    record RemoveNic(String vm, String nic) implements SyncStep {}

    /** The definition carries another MAC for this NIC (edited in libvirt): it becomes the pending MAC. */
    record SetMac(String vm, String nic, MacAddress mac) implements SyncStep {}

    /**
     * The domain runs and the VM is stopped. Pending MACs become spec only on {@code applyPending}
     * NICs, those whose pending MAC the domain really booted with; the others stay pending.
     */
    record Start(String vm, Set<String> applyPending) implements SyncStep {}

    /** The domain is shut off and the VM is running. */
    record Stop(String vm) implements SyncStep {}

    /** The domain is gone (undefined): the VM goes, giving back per its networks' policies. */
    record DeleteVm(String vm) implements SyncStep {}

    /**
     * A shut-off domain whose NIC has a pending MAC: the definition is changed to carry it, so the
     * next start boots with it ({@code interfaceIndex} in domain order, now carrying {@code from}).
     */
    record DefineMac(String vm, String nic, int interfaceIndex, MacAddress from, MacAddress to) implements SyncStep {}
}
