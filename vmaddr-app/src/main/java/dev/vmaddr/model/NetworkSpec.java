package dev.vmaddr.model;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.Ipv6Range;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A network's definition, as in the config file's {@code networks:} entries and the API. Immutable;
 * a change replaces the whole value (build one with {@link #builder} or {@link #toBuilder}). Validation of the rules between fields (pool inside the CIDR,
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
 * @param clients     which DHCP clients get answers: any, or only those vmaddr knows (default any)
 * @param leaseKey    what identifies a DHCP client: its client-id (default) or its MAC alone
 * @param ipv6Mode    SLAAC, DHCPv6 or both on the {@code ipv6Prefix} (default SLAAC)
 * @param ipv6Pools   DHCPv6 IA_NA pools, inside {@code ipv6Prefix}
 * @param ipv6Dns     the IPv6 servers of the config's {@code dns} list (RDNSS, DHCPv6 DNS option)
 * @param ipv6Reservations the entries of the config's {@code reservations} list with an IPv6 ip
 */
public record NetworkSpec(String name, Ipv4Prefix cidr, Ipv4Address gateway, List<Ipv4Address> dns,
                          String domain, Integer mtu, String bridge, Integer vlan, Ipv6Prefix ipv6Prefix,
                          ReleasePolicy release, Duration leaseTime, Duration renewTime, Duration rebindTime,
                          List<Ipv4Range> pools, List<Ipv4Range> exclude, List<Reservation> reservations,
                          RouteSpec route, List<Ipv4Address> relays, List<Ipv4Address> dhcpServers,
                          ClientAccess clients, LeaseKey leaseKey,
                          Ipv6Mode ipv6Mode, List<Ipv6Range> ipv6Pools, List<Ipv6Address> ipv6Dns,
                          List<Ipv6Reservation> ipv6Reservations) {
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
        clients = clients == null ? ClientAccess.ANY : clients;
        leaseKey = leaseKey == null ? LeaseKey.CLIENT_ID : leaseKey;
        ipv6Mode = ipv6Mode == null ? Ipv6Mode.SLAAC : ipv6Mode;
        ipv6Pools = List.copyOf(ipv6Pools == null ? List.of() : ipv6Pools);
        ipv6Dns = List.copyOf(ipv6Dns == null ? List.of() : ipv6Dns);
        ipv6Reservations = List.copyOf(ipv6Reservations == null ? List.of() : ipv6Reservations);
    }

    /** A network with only a name, CIDR, gateway and pools; every other field at its default. */
    public static NetworkSpec of(String name, Ipv4Prefix cidr, Ipv4Address gateway, List<Ipv4Range> pools) {
        return builder(name, cidr).gateway(gateway).pools(pools).build();
    }

    /** A network named {@code name} on {@code cidr}, every other field at its default until set. */
    public static Builder builder(String name, Ipv4Prefix cidr) {
        return new Builder().name(name).cidr(cidr);
    }

    /** A builder holding every field of this network: change a few, {@link Builder#build()} the new value. */
    public Builder toBuilder() {
        return new Builder().name(name).cidr(cidr).gateway(gateway).dns(dns).domain(domain).mtu(mtu).bridge(bridge)
                .vlan(vlan).ipv6Prefix(ipv6Prefix).release(release).leaseTime(leaseTime).renewTime(renewTime)
                .rebindTime(rebindTime).pools(pools).exclude(exclude).reservations(reservations).route(route)
                .relays(relays).dhcpServers(dhcpServers).clients(clients).leaseKey(leaseKey)
                .ipv6Mode(ipv6Mode).ipv6Pools(ipv6Pools).ipv6Dns(ipv6Dns)
                .ipv6Reservations(ipv6Reservations);
    }

    /** This network with other pools (the API's pool edits). */
    public NetworkSpec withPools(List<Ipv4Range> pools) {
        return toBuilder().pools(pools).build();
    }

    /** This network with other reservations (the API's reservation edits, VM NICs' reserved addresses). */
    public NetworkSpec withReservations(List<Reservation> reservations) {
        return toBuilder().reservations(reservations).build();
    }

    /**
     * Named fields instead of the record's positional ones, so a caller sets what it knows
     * and a new field does not change every call site. Unset fields take the record's defaults.
     * Not thread-safe; {@link #build()} copies the lists.
     */
    public static final class Builder {
        private String name;
        private Ipv4Prefix cidr;
        private Ipv4Address gateway;
        private List<Ipv4Address> dns;
        private String domain;
        private Integer mtu;
        private String bridge;
        private Integer vlan;
        private Ipv6Prefix ipv6Prefix;
        private ReleasePolicy release;
        private Duration leaseTime;
        private Duration renewTime;
        private Duration rebindTime;
        private List<Ipv4Range> pools;
        private List<Ipv4Range> exclude;
        private List<Reservation> reservations;
        private RouteSpec route;
        private List<Ipv4Address> relays;
        private List<Ipv4Address> dhcpServers;
        private ClientAccess clients;
        private LeaseKey leaseKey;
        private Ipv6Mode ipv6Mode;
        private List<Ipv6Range> ipv6Pools;
        private List<Ipv6Address> ipv6Dns;
        private List<Ipv6Reservation> ipv6Reservations;

        private Builder() {}

        public Builder name(String name) { this.name = name; return this; }
        public Builder cidr(Ipv4Prefix cidr) { this.cidr = cidr; return this; }
        public Builder gateway(Ipv4Address gateway) { this.gateway = gateway; return this; }
        public Builder dns(List<Ipv4Address> dns) { this.dns = dns; return this; }
        public Builder domain(String domain) { this.domain = domain; return this; }
        public Builder mtu(Integer mtu) { this.mtu = mtu; return this; }
        public Builder bridge(String bridge) { this.bridge = bridge; return this; }
        public Builder vlan(Integer vlan) { this.vlan = vlan; return this; }
        public Builder ipv6Prefix(Ipv6Prefix ipv6Prefix) { this.ipv6Prefix = ipv6Prefix; return this; }
        public Builder release(ReleasePolicy release) { this.release = release; return this; }
        public Builder leaseTime(Duration leaseTime) { this.leaseTime = leaseTime; return this; }
        public Builder renewTime(Duration renewTime) { this.renewTime = renewTime; return this; }
        public Builder rebindTime(Duration rebindTime) { this.rebindTime = rebindTime; return this; }
        public Builder pools(List<Ipv4Range> pools) { this.pools = pools; return this; }
        public Builder exclude(List<Ipv4Range> exclude) { this.exclude = exclude; return this; }
        public Builder reservations(List<Reservation> reservations) { this.reservations = reservations; return this; }
        public Builder route(RouteSpec route) { this.route = route; return this; }
        public Builder relays(List<Ipv4Address> relays) { this.relays = relays; return this; }
        public Builder dhcpServers(List<Ipv4Address> dhcpServers) { this.dhcpServers = dhcpServers; return this; }
        public Builder clients(ClientAccess clients) { this.clients = clients; return this; }
        public Builder leaseKey(LeaseKey leaseKey) { this.leaseKey = leaseKey; return this; }
        public Builder ipv6Mode(Ipv6Mode ipv6Mode) { this.ipv6Mode = ipv6Mode; return this; }
        public Builder ipv6Pools(List<Ipv6Range> ipv6Pools) { this.ipv6Pools = ipv6Pools; return this; }
        public Builder ipv6Dns(List<Ipv6Address> ipv6Dns) { this.ipv6Dns = ipv6Dns; return this; }
        public Builder ipv6Reservations(List<Ipv6Reservation> ipv6Reservations) { this.ipv6Reservations = ipv6Reservations; return this; }

        public NetworkSpec build() {
            return new NetworkSpec(name, cidr, gateway, dns, domain, mtu, bridge, vlan, ipv6Prefix, release, leaseTime,
                    renewTime, rebindTime, pools, exclude, reservations, route, relays, dhcpServers, clients, leaseKey,
                    ipv6Mode, ipv6Pools, ipv6Dns, ipv6Reservations);
        }
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

    /** The client-id a DHCP client is known by on this network: {@code sent}, or none when {@code leaseKey} is {@code mac}. */
    public ClientId effectiveClientId(ClientId sent) {
        return leaseKey == LeaseKey.MAC ? null : sent;
    }

    /** Whether a relay agent at {@code giaddr} forwards for this network. */
    public boolean servesRelay(Ipv4Address giaddr) {
        return relays.isEmpty() ? cidr.contains(giaddr) : relays.contains(giaddr);
    }
}
