package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.log.LogEvents;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NIC's MAC changed through the API (seed 000): {@link #setMac} claims the new MAC at once (so no
 * one else gets it) and records it as pending; the running VM keeps its MAC until it restarts, a
 * stopped VM until it starts, and then {@link #apply} makes the pending MAC the spec: the
 * reservation and the lease move to it and the old MAC goes back to the pool's quarantine.
 *
 * <p>Why pending and not at once: the hypervisor gives the NIC its MAC at boot and filters on it;
 * changing the record before the guest can use the MAC would make the address follow a MAC that is
 * not on the wire yet.
 */
final class MacChanges {
    private static final Logger LOG = LoggerFactory.getLogger(MacChanges.class);

    private final VmTable table;
    private final VmMacPool macs;
    private final NicAddresses addresses;
    private final VmRepository history;
    private final Clock clock;

    MacChanges(VmTable table, VmMacPool macs, NicAddresses addresses, VmRepository history, Clock clock) {
        this.table = table;
        this.macs = macs;
        this.addresses = addresses;
        this.history = history;
        this.clock = clock;
    }

    /**
     * Records {@code mac} as the NIC's pending MAC, claimed from the pool now. Setting the spec MAC
     * cancels a pending change; setting the pending MAC again changes nothing.
     */
    Nic setMac(String vmName, String nicName, MacAddress mac) {
        VmInputChecks.usableMac("mac", mac);
        return table.locked(vmName, () -> {
            Vm vm = table.get(vmName);
            Nic nic = VmTable.nic(vm, nicName);
            String owner = Vm.owner(vmName, nicName);
            Instant now = clock.instant();
            Nic next;
            if (mac.equals(nic.pendingMac())) {
                return nic;
            } else if (mac.equals(nic.mac())) {
                next = nic.withMac(nic.mac(), null, nic.ip());
            } else {
                macs.claim(mac, owner);
                next = nic.withMac(nic.mac(), mac, nic.ip());
                history.event(now, nic.network(), nic.ip(), mac, owner, "nic-mac-pending");
            }
            if (nic.pendingMac() != null) {
                macs.release(nic.pendingMac());
                history.event(now, nic.network(), null, nic.pendingMac(), owner, "nic-mac-released");
            }
            table.commit(VmTable.replace(vm, next, now), LogEvents.VM_NIC_MAC_PENDING);
            LOG.info(LogEvents.VM_NIC_MAC_PENDING + " vm={} nic={} mac={} pending={}", vmName, nicName, nic.mac(), next.pendingMac());
            return next;
        });
    }

    /**
     * At (re)start: the pending MAC becomes the spec. The reservation and lease move to it (or, when
     * the NIC gave its address back at stop, a fresh one is reserved for it) and the old MAC goes
     * back to the pool. Called under the VM's lock for a NIC with a pending MAC.
     */
    Nic apply(String vmName, Nic n) {
        String owner = Vm.owner(vmName, n.name());
        Instant now = clock.instant();
        MacAddress next = n.pendingMac();
        Ipv4Address ip = n.ip();
        if (ip != null) {
            addresses.move(n.network(), ip, n.mac(), next, vmName);
        } else {
            ip = addresses.reserve(n.network(), next, vmName);
        }
        if (n.mac() != null) {
            macs.release(n.mac());
            history.event(now, n.network(), null, n.mac(), owner, "nic-mac-released");
        }
        history.event(now, n.network(), ip, next, owner, "nic-mac-changed");
        LOG.info(LogEvents.VM_NIC_MAC_CHANGED + " vm={} nic={} network={} old={} mac={} ip={}",
                vmName, n.name(), n.network(), n.mac(), next, ip);
        return n.withMac(next, null, ip);
    }
}
