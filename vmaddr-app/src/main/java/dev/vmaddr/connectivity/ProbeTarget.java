package dev.vmaddr.connectivity;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.RouteSpec;
import java.util.Objects;

/**
 * What the connectivity check needs to know about a network. Separate from {@link NetworkSpec} because
 * a network imported from a NAD in auto mode may have no CIDR until DHCP has taught us one.
 *
 * @param iface   host interface the network lives on (bridge or VLAN interface); null = unknown
 * @param vlan    VLAN id on a VLAN-filtering bridge, or null
 * @param cidr    configured CIDR (vmaddr's network), compared with the learned one in auto mode; nullable
 * @param gateway configured gateway; nullable
 */
public record ProbeTarget(String network, String iface, Integer vlan, RouteSpec route, Ipv4Prefix cidr,
                          Ipv4Address gateway) {
    public ProbeTarget {
        Objects.requireNonNull(network, "network");
        route = route == null ? RouteSpec.AUTO : route;
    }

    public static ProbeTarget of(NetworkSpec spec) {
        return new ProbeTarget(spec.name(), spec.bridge(), spec.vlan(), spec.route(), spec.cidr(), spec.gateway());
    }
}
