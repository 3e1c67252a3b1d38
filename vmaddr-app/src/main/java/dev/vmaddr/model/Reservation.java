package dev.vmaddr.model;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;

/**
 * A fixed address for one client, matched by MAC (chaddr, whether or not a client-id is sent) or by
 * client-id. A client-id of hardware type 1 ({@code 01} + MAC) is that MAC, so it also matches a
 * client with that chaddr that sends no client-id or another one. May lie inside or outside the
 * pools, but inside the network.
 */
public record Reservation(MacAddress mac, ClientId clientId, Ipv4Address ip, String hostname) {
    public Reservation {
        if (mac == null && clientId == null) {
            throw new IllegalArgumentException("a reservation needs a mac or a clientId");
        }
        if (ip == null) {
            throw new IllegalArgumentException("a reservation needs an ip");
        }
    }

    public boolean matches(MacAddress chaddr, ClientId id) {
        return (mac != null && mac.equals(chaddr))
                || (clientId != null && (clientId.equals(id) || chaddr != null && clientId.equals(ClientId.ofHardware(chaddr))));
    }
}
