package dev.vmaddr.nad;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.connectivity.ProbeTarget;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.RouteSpec;
import java.util.List;
import java.util.Optional;

/**
 * What one NAD says about a network.
 *
 * @param cniType       bridge, macvlan or ipvlan
 * @param hostInterface bridge name (bridge) or master (macvlan/ipvlan); null when the NAD has none
 * @param cidr          from a manual route annotation, else the IPAM section, else an auto annotation's
 *                      learned value; null when the NAD does not say (auto mode learns it by DHCP)
 * @param warnings      things that were ignored or inconsistent, one sentence each
 */
public record NadImport(String name, String namespace, String cniType, String hostInterface, Integer vlan,
                        Integer mtu, RouteSpec route, Ipv4Prefix cidr, Ipv4Address gateway, List<Ipv4Range> pools,
                        List<Ipv4Range> exclude, List<String> warnings) {
    public NadImport {
        pools = List.copyOf(pools);
        exclude = List.copyOf(exclude);
        warnings = List.copyOf(warnings);
    }

    /** The vmaddr network, or empty when the NAD gives no CIDR (learn it with the connectivity check). */
    public Optional<NetworkSpec> network() {
        if (cidr == null) {
            return Optional.empty();
        }
        return Optional.of(toNetwork(cidr, gateway));
    }

    /** The vmaddr network with a CIDR/gateway supplied from elsewhere (e.g. learned by DHCP). */
    public NetworkSpec toNetwork(Ipv4Prefix cidr, Ipv4Address gateway) {
        return new NetworkSpec(name, cidr, gateway, List.of(), null, mtu, hostInterface, vlan, null, null, null, null,
                null, pools, exclude, List.of(), route, List.of(), List.of());
    }

    /** The connectivity check target: checked all the same when the NAD has no route annotation. */
    public ProbeTarget target() {
        return new ProbeTarget(name, hostInterface, vlan, route, cidr, gateway);
    }
}
