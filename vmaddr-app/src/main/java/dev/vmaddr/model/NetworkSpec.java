package dev.vmaddr.model;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Prefix;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A network's definition, as in the config file's {@code networks:} entries and the API. Immutable;
 * a change replaces the whole value. Validation of the rules between fields (pool inside the CIDR,
 * gateway inside, ...) is ipam's {@code NetworkValidator}'s job so config, API and imports share it.
 *
 * @param gateway     nullable
 * @param vlan        nullable, 1-4094
 * @param mtu         nullable
 * @param ipv6Prefix  nullable; NICs then show their EUI-64 SLAAC address
 * @param renewTime   T1; null means half the lease time
 * @param rebindTime  T2; null means 7/8 of the lease time
 * @param relays      giaddrs that select this network; empty means any giaddr inside the CIDR
 * @param dhcpServers servers expected to answer on this network when vmaddr does not serve it
 */
public record NetworkSpec(String name, Ipv4Prefix cidr, Ipv4Address gateway, List<Ipv4Address> dns,
                          String domain, Integer mtu, String bridge, Integer vlan, Ipv6Prefix ipv6Prefix,
                          ReleasePolicy release, Duration leaseTime, Duration renewTime, Duration rebindTime,
                          List<Ipv4Range> pools, List<Ipv4Range> exclude, List<Reservation> reservations,
                          RouteSpec route, List<Ipv4Address> relays, List<Ipv4Address> dhcpServers) {
    public static final Duration DEFAULT_LEASE_TIME = Duration.ofHours(1);

    public NetworkSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cidr, "cidr");
        dns = List.copyOf(dns == null ? List.of() : dns);
        release = release == null ? ReleasePolicy.ON_DELETE : release;
        leaseTime = leaseTime == null ? DEFAULT_LEASE_TIME : leaseTime;
        pools = List.copyOf(pools == null ? List.of() : pools);
        exclude = List.copyOf(exclude == null ? List.of() : exclude);
        reservations = List.copyOf(reservations == null ? List.of() : reservations);
        route = route == null ? RouteSpec.AUTO : route;
        relays = List.copyOf(relays == null ? List.of() : relays);
        dhcpServers = List.copyOf(dhcpServers == null ? List.of() : dhcpServers);
    }

    /** A network with only a name, CIDR, gateway and pools; every other field at its default. */
    public static NetworkSpec of(String name, Ipv4Prefix cidr, Ipv4Address gateway, List<Ipv4Range> pools) {
        return new NetworkSpec(name, cidr, gateway, List.of(), null, null, null, null, null, null, null, null,
                null, pools, List.of(), List.of(), null, List.of(), List.of());
    }

    /** This network with other pools (the API's pool edits). */
    public NetworkSpec withPools(List<Ipv4Range> pools) {
        return new NetworkSpec(name, cidr, gateway, dns, domain, mtu, bridge, vlan, ipv6Prefix, release, leaseTime,
                renewTime, rebindTime, pools, exclude, reservations, route, relays, dhcpServers);
    }

    /** This network with other reservations (the API's reservation edits, VM NICs' reserved addresses). */
    public NetworkSpec withReservations(List<Reservation> reservations) {
        return new NetworkSpec(name, cidr, gateway, dns, domain, mtu, bridge, vlan, ipv6Prefix, release, leaseTime,
                renewTime, rebindTime, pools, exclude, reservations, route, relays, dhcpServers);
    }

    public Duration effectiveRenewTime() {
        return renewTime != null ? renewTime : fraction(leaseTime, 1, 2);
    }

    public Duration effectiveRebindTime() {
        return rebindTime != null ? rebindTime : fraction(leaseTime, 7, 8);
    }

    /**
     * {@code d * num / den}, truncated to the nanosecond like {@link Duration#dividedBy(long)}, in long
     * arithmetic: Duration's own multipliedBy/dividedBy go through BigDecimal, and this runs for
     * every OFFER and ACK.
     */
    static Duration fraction(Duration d, int num, int den) {
        long scaled = Math.multiplyExact(d.getSeconds(), num);
        long nanos = (scaled % den * 1_000_000_000L + (long) d.getNano() * num) / den;
        return Duration.ofSeconds(scaled / den, nanos);
    }

    /** Whether a relay agent at {@code giaddr} forwards for this network. */
    public boolean servesRelay(Ipv4Address giaddr) {
        return relays.isEmpty() ? cidr.contains(giaddr) : relays.contains(giaddr);
    }
}
