package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.NetworkSpec;

/**
 * Whether vmaddr knows a DHCP client for a network: it has a reservation there (by MAC or client-id;
 * a VM NIC's address is one), or a lease of any state under its MAC or its client-id (imported,
 * CNI-allocated, or its own from before). The protocol asks once the network is known: a
 * {@code clients: known} network answers only known clients, and on any network a known client
 * is never held back by {@link NewClientGuard}. {@code dev.vmaddr.dhcp.server.EngineClientPolicy}
 * answers from the allocation engine. May be called by many threads at once.
 */
public interface ClientPolicy {
    /** Knows nobody: with it a {@code clients: known} network answers no one (tests). */
    ClientPolicy NOBODY = (network, mac, clientId) -> false;

    boolean knows(NetworkSpec network, MacAddress mac, ClientId clientId);
}
