package dev.vmaddr.dhcp6.server;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp6.protocol.Lease6Operations;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.ra.ServedNetworks;
import java.util.Optional;

/** {@link Lease6Operations} over {@link Ipv6Leases} and the served networks: one delegating call each. */
public final class EngineLease6Operations implements Lease6Operations {
    private final Ipv6Leases leases;
    private final ServedNetworks networks;

    public EngineLease6Operations(Ipv6Leases leases, ServedNetworks networks) {
        this.leases = leases;
        this.networks = networks;
    }

    @Override
    public Optional<NetworkSpec> networkForLinkAddress(Ipv6Address linkAddress) {
        return networks.all().stream().filter(n -> n.ipv6Prefix().contains(linkAddress)).findFirst();
    }

    @Override
    public Optional<Lease6> offer(NetworkSpec network, Duid duid, long iaid, MacAddress mac, Ipv6Address hint) {
        return leases.offer(network, duid, iaid, mac, hint);
    }

    @Override
    public Optional<Lease6> bind(NetworkSpec network, Duid duid, long iaid, MacAddress mac, Ipv6Address hint) {
        return leases.bind(network, duid, iaid, mac, hint, null);
    }

    @Override
    public Optional<Lease6> release(NetworkSpec network, Duid duid, long iaid, Ipv6Address ip) {
        return leases.release(network.name(), duid, iaid, ip);
    }

    @Override
    public Optional<Lease6> decline(NetworkSpec network, Duid duid, long iaid, Ipv6Address ip) {
        return leases.decline(network.name(), duid, iaid, ip);
    }
}
