package dev.vmaddr.model;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;

/**
 * A fixed DHCPv6 address for one client, matched by its DUID or by its MAC (from the client
 * link-layer address option of a relay, or the MAC inside a DUID-LL/LLT). Written in the same
 * {@code reservations} list as the IPv4 ones, with an IPv6 {@code ip}.
 */
public record Ipv6Reservation(MacAddress mac, Duid duid, Ipv6Address ip, String hostname) {
    public Ipv6Reservation {
        if (mac == null && duid == null) {
            throw new IllegalArgumentException("an IPv6 reservation needs a mac or a duid");
        }
        if (ip == null) {
            throw new IllegalArgumentException("an IPv6 reservation needs an ip");
        }
    }

    public boolean matches(Duid clientDuid, MacAddress clientMac) {
        return duid != null && duid.equals(clientDuid) || mac != null && mac.equals(clientMac);
    }
}
