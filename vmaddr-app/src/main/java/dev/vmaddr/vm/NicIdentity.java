package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NIC's identity: its MAC (owner {@code vm/<vm>/<nic>} in the MAC pool) and its address (a
 * reservation for that MAC, see {@link NicAddresses}), given and given back as one.
 *
 * <p>The MAC is taken first and the address second; when the address cannot be had (no such
 * network, pool exhausted, reservation conflict) the MAC goes back before the refusal propagates,
 * so a refused NIC holds nothing. That rule lives in {@link #assign} only: a new NIC and a NIC that
 * gave everything back at stop ({@code on-stop}) get their identity the same way.
 *
 * <p>Every change is appended to the history ({@code nic-mac-assigned}, {@code nic-address-reserved},
 * {@code nic-address-released}, {@code nic-mac-released}), so "who had this MAC/address" includes
 * VM NICs. Called under the VM's lock; the caller commits the NIC it gets back.
 */
final class NicIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(NicIdentity.class);

    private final VmMacPool macs;
    private final NicAddresses addresses;
    private final VmRepository history;
    private final Clock clock;

    NicIdentity(VmMacPool macs, NicAddresses addresses, VmRepository history, Clock clock) {
        this.macs = macs;
        this.addresses = addresses;
        this.history = history;
        this.clock = clock;
    }

    /**
     * A new NIC with its MAC (the requested one claimed, else one from the pool) and its reserved
     * address. {@code macField} names the request's MAC in refusals ({@code nics[0].mac}).
     */
    Nic create(String vmName, NicRequest request, String macField) {
        addresses.network(request.network()); // NOT_FOUND before any MAC is taken
        if (request.mac() != null) {
            VmInputChecks.usableMac(macField, request.mac());
        }
        return assign(vmName, new Nic(request.name(), request.network(), null, null, null, null), request.mac());
    }

    /**
     * At (re)start, for a NIC without a pending MAC: one that gave its MAC and address back at stop
     * gets fresh ones, one that kept its MAC but has no address gets an address.
     */
    Nic restore(String vmName, Nic n) {
        if (n.mac() == null) {
            return assign(vmName, n, null);
        }
        if (n.ip() == null) {
            Ipv4Address ip = addresses.reserve(n.network(), n.mac(), vmName);
            history.event(clock.instant(), n.network(), ip, n.mac(), Vm.owner(vmName, n.name()), "nic-address-reserved");
            return n.withMac(n.mac(), n.pendingMac(), ip);
        }
        return n;
    }

    /** The MAC ({@code requested} claimed, or allocated) and then the address; the MAC goes back when the address fails. */
    private Nic assign(String vmName, Nic n, MacAddress requested) {
        String owner = Vm.owner(vmName, n.name());
        MacAddress mac = requested != null ? macs.claim(requested, owner) : macs.allocate(owner);
        Ipv4Address ip;
        try {
            ip = addresses.reserve(n.network(), mac, vmName);
        } catch (RuntimeException e) {
            macs.release(mac);
            throw e;
        }
        Instant now = clock.instant();
        history.event(now, n.network(), null, mac, owner, "nic-mac-assigned");
        history.event(now, n.network(), ip, mac, owner, "nic-address-reserved");
        LOG.info(LogEvents.VM_NIC_BOUND + " vm={} nic={} network={} mac={} ip={}", vmName, n.name(), n.network(), mac, ip);
        return n.withMac(mac, n.pendingMac(), ip);
    }

    /**
     * Gives back the NIC's address and MAC (quarantined by the pool); a pending MAC too when
     * {@code withPending} (deletion), while a stop keeps it to apply at the next start.
     */
    Nic giveBack(String vmName, Nic n, boolean withPending) {
        String owner = Vm.owner(vmName, n.name());
        Instant now = clock.instant();
        if (n.ip() != null) {
            addresses.unreserve(n.network(), n.ip(), n.mac());
            history.event(now, n.network(), n.ip(), n.mac(), owner, "nic-address-released");
        }
        if (n.mac() != null) {
            macs.release(n.mac());
            history.event(now, n.network(), null, n.mac(), owner, "nic-mac-released");
        }
        MacAddress pending = n.pendingMac();
        if (withPending && pending != null) {
            macs.release(pending);
            history.event(now, n.network(), null, pending, owner, "nic-mac-released");
            pending = null;
        }
        LOG.info(LogEvents.VM_NIC_RELEASED + " vm={} nic={} network={} mac={} ip={}", vmName, n.name(), n.network(), n.mac(), n.ip());
        return n.withMac(null, pending, null);
    }

    /**
     * NIC {@code n} of VM {@code fromVm} hands its MAC, and with it the reserved address and lease
     * (both are the MAC's), to the NIC of the same name of VM {@code toVm}. Returns the new NIC; the
     * old one keeps neither (it gets new ones if its VM ever starts again).
     */
    Nic handOver(String fromVm, String toVm, Nic n) {
        String from = Vm.owner(fromVm, n.name());
        String to = Vm.owner(toVm, n.name());
        macs.transfer(n.mac(), from, to);
        history.event(clock.instant(), n.network(), n.ip(), n.mac(), to, "nic-taken-over-from:" + from);
        LOG.info(LogEvents.VM_NIC_BOUND + " vm={} nic={} network={} mac={} ip={} from={}", toVm, n.name(), n.network(), n.mac(),
                n.ip(), from);
        return new Nic(n.name(), n.network(), n.mac(), null, n.ip(), null);
    }

    /** Undoes {@link #handOver} (a clone that could not be committed). */
    void handBack(String fromVm, String toVm, Nic n) {
        macs.transfer(n.mac(), Vm.owner(toVm, n.name()), Vm.owner(fromVm, n.name()));
    }

    /** The release policy of the NIC's network. */
    ReleasePolicy policy(Nic n) {
        // A network deleted under a VM has nothing left to hold: treat it as giving back.
        return addresses.networkIfPresent(n.network()).map(NetworkSpec::release).orElse(ReleasePolicy.ON_DELETE);
    }
}
