package dev.vmaddr.dhcp.server;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.protocol.ClientPolicy;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.NetworkSpec;

/**
 * The protocol's {@link ClientPolicy} answered by the allocation engine ({@link AllocationEngine#knows}):
 * reservations (VM NICs' addresses among them) and leases of any state, whoever wrote them.
 */
public record EngineClientPolicy(AllocationEngine engine) implements ClientPolicy {
    @Override
    public boolean knows(NetworkSpec network, MacAddress mac, ClientId clientId) {
        try {
            return engine.knows(network.name(), mac, clientId);
        } catch (AllocationException e) {
            if (e.reason() == AllocationException.Reason.UNKNOWN_NETWORK) {
                return false; // removed since the protocol looked it up: nobody is known there
            }
            throw e;
        }
    }
}
