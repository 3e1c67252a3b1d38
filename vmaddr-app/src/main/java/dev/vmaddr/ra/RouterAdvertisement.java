package dev.vmaddr.ra;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.NetworkSpec;
import java.util.List;

/**
 * The content of one router advertisement (RFC 4861 4.2) with the options vmaddr sends: source
 * link-layer address, MTU, one prefix information option and RDNSS (RFC 8106).
 *
 * @param sourceMac        the sending interface's MAC, or null to leave the option out
 * @param mtu              null: no MTU option
 * @param dnsLifetimeSeconds lifetime of the RDNSS servers (RFC 8106 5.1: at least MaxRtrAdvInterval)
 */
public record RouterAdvertisement(int curHopLimit, boolean managed, boolean other, int routerLifetimeSeconds,
                                  MacAddress sourceMac, Integer mtu, Ipv6Prefix prefix, boolean onLink,
                                  boolean autonomous, long validLifetimeSeconds, long preferredLifetimeSeconds,
                                  List<Ipv6Address> dns, long dnsLifetimeSeconds) {
    /** RFC 4861 6.2.1 defaults, and radvd's prefix lifetimes (PRODUCT.md "IPv6"). */
    public static final int ROUTER_LIFETIME = 1800;
    public static final long PREFIX_VALID = 86_400;
    public static final long PREFIX_PREFERRED = 14_400;
    public static final int MAX_INTERVAL_SECONDS = 600;
    public static final int MIN_INTERVAL_SECONDS = 200;

    public RouterAdvertisement {
        dns = List.copyOf(dns);
    }

    /**
     * This advertisement with router lifetime 0: the final one of RFC 4861 6.2.5, after which hosts
     * drop their default route through this router at once (the prefix and its lifetimes stay as
     * they are: addresses configured from it live on until their own lifetimes end).
     */
    public RouterAdvertisement ceasing() {
        return new RouterAdvertisement(curHopLimit, managed, other, 0, sourceMac, mtu, prefix, onLink, autonomous,
                validLifetimeSeconds, preferredLifetimeSeconds, dns, dnsLifetimeSeconds);
    }

    /**
     * What a network advertises: its prefix, autonomous unless the mode is DHCPv6 only; M for
     * DHCPv6 addresses; O when DHCPv6 has something beyond addresses to tell (IPv6 DNS servers)
     * or hands out addresses (then clients ask for options in the same exchange).
     */
    public static RouterAdvertisement of(NetworkSpec n, MacAddress sourceMac) {
        boolean managed = n.ipv6Mode().managed();
        boolean other = managed || !n.ipv6Dns().isEmpty();
        return new RouterAdvertisement(64, managed, other, ROUTER_LIFETIME, sourceMac, n.mtu(), n.ipv6Prefix(), true,
                n.ipv6Mode().autonomous(), PREFIX_VALID, PREFIX_PREFERRED, n.ipv6Dns(), 3L * MAX_INTERVAL_SECONDS);
    }
}
