package dev.vmaddr.serve;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.protocol.DhcpEvents;
import dev.vmaddr.dhcp.protocol.DropReason;
import dev.vmaddr.dhcp.protocol.LeaseEvent;
import dev.vmaddr.dhcp.protocol.ReceiveContext;
import dev.vmaddr.dhcp.protocol.Reply;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease;
import dev.vmaddr.vm.VmInventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the VM inventory which address a VM NIC's MAC actually bound, then passes every event on.
 * Only MACs of VM NICs (spec or pending) are recorded: a lookup in memory for every other client,
 * so ordinary DHCP traffic pays nothing and a renewal of an unchanged binding writes nothing.
 * MACs that belong to no NIC are not recorded from here (that would be a durable write per
 * stranger); guest reports and {@link VmInventory#recordDhcpLease} record those.
 */
record VmDhcpObserver(VmInventory vms, DhcpEvents next) implements DhcpEvents {
    private static final Logger LOG = LoggerFactory.getLogger(VmDhcpObserver.class);

    @Override
    public void lease(LeaseEvent event, Lease lease) {
        if (event == LeaseEvent.BOUND && !vms.ownsMac(lease.mac())) {
            try {
                vms.noteLeasedBy(lease.network(), lease.mac()); // a stranger's MAC in the pool's ranges is kept from VMs
            } catch (RuntimeException e) {
                LOG.warn(LogEvents.VM_DHCP_OBSERVE_FAILED + " network={} mac={} ip={} error=\"{}\"", lease.network(), lease.mac(),
                        lease.ip(), e.getMessage());
            }
        }
        if ((event == LeaseEvent.BOUND || event == LeaseEvent.RENEWED) && vms.ownsMac(lease.mac())) {
            try {
                vms.recordDhcpLease(lease.network(), lease.mac(), lease.ip());
            } catch (RuntimeException e) {
                // The lease is granted either way; a lost observation only delays drift detection.
                LOG.warn(LogEvents.VM_DHCP_OBSERVE_FAILED + " network={} mac={} ip={} error=\"{}\"", lease.network(), lease.mac(),
                        lease.ip(), e.getMessage());
            }
        }
        next.lease(event, lease);
    }

    @Override
    public void received(DhcpMessageType type, ReceiveContext ctx) {
        next.received(type, ctx);
    }

    @Override
    public void sent(Reply reply) {
        next.sent(reply);
    }

    @Override
    public void malformed(String reason, ReceiveContext ctx) {
        next.malformed(reason, ctx);
    }

    @Override
    public void dropped(DropReason reason, String detail) {
        next.dropped(reason, detail);
    }

    @Override
    public void nak(String network, String reason) {
        next.nak(network, reason);
    }

    @Override
    public void lateProbeConflict(String network, Ipv4Address ip) {
        next.lateProbeConflict(network, ip);
    }

    @Override
    public void probeConflict(String network, Ipv4Address ip) {
        next.probeConflict(network, ip);
    }

    @Override
    public void probeFailed(String network, Ipv4Address ip, Throwable error) {
        next.probeFailed(network, ip, error);
    }
}
