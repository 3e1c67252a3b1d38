package dev.vmaddr.ra;

import dev.vmaddr.model.NetworkSpec;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which network an interface serves over IPv6 (PRODUCT.md "IPv6"): the one whose {@code bridge} is
 * that interface, else the one whose CIDR holds the interface's IPv4 address; only networks with an
 * {@code ipv6Prefix}. Asks {@code networks} each time, so API edits apply without restart.
 */
public final class ServedNetworks {
    private final Supplier<List<NetworkSpec>> networks;

    public ServedNetworks(Supplier<List<NetworkSpec>> networks) {
        this.networks = networks;
    }

    public Optional<NetworkSpec> on(Links.Link link) {
        List<NetworkSpec> all = networks.get();
        for (NetworkSpec n : all) {
            if (n.ipv6Prefix() != null && link.name().equals(n.bridge())) {
                return Optional.of(n);
            }
        }
        if (link.ipv4() != null) {
            for (NetworkSpec n : all) {
                if (n.ipv6Prefix() != null && n.cidr().contains(link.ipv4())) {
                    return Optional.of(n);
                }
            }
        }
        return Optional.empty();
    }

    /** Every network with an IPv6 prefix, for relayed DHCPv6 (the link-address picks one). */
    public List<NetworkSpec> all() {
        return networks.get().stream().filter(n -> n.ipv6Prefix() != null).toList();
    }
}
