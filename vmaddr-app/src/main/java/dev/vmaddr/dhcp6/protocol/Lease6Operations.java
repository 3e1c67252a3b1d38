package dev.vmaddr.dhcp6.protocol;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.NetworkSpec;
import java.util.Optional;

/**
 * What the DHCPv6 protocol needs from IPv6 address management, and nothing more (LayerDirectionTest
 * keeps the protocol away from the engine, the store and sockets). The server adapts
 * {@code dev.vmaddr.ipam.Ipv6Leases} and the network list to it.
 */
public interface Lease6Operations {
    /** The network whose {@code ipv6Prefix} holds a relay's link-address. */
    Optional<NetworkSpec> networkForLinkAddress(Ipv6Address linkAddress);

    /** SOLICIT: an address held briefly, not durable; empty when none is free. */
    Optional<Lease6> offer(NetworkSpec network, Duid duid, long iaid, MacAddress mac, Ipv6Address hint);

    /** REQUEST, RENEW, REBIND, rapid commit: BOUND and durable on return; empty when none is free. */
    Optional<Lease6> bind(NetworkSpec network, Duid duid, long iaid, MacAddress mac, Ipv6Address hint);

    Optional<Lease6> release(NetworkSpec network, Duid duid, long iaid, Ipv6Address ip);

    Optional<Lease6> decline(NetworkSpec network, Duid duid, long iaid, Ipv6Address ip);
}
