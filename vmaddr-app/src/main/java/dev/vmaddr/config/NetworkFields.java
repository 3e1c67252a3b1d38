package dev.vmaddr.config;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.NetworkValidator;
import dev.vmaddr.model.ClientAccess;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.LeaseKey;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.model.RouteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A network as the config file's {@code networks:} entries and the API's JSON write it: the one
 * reader and the one writer of those field names, so file and API cannot drift apart.
 */
public final class NetworkFields {
    private NetworkFields() {}

    public static String checkName(String name) {
        if (!NetworkValidator.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("\"" + name + "\" is not a valid network name (lower-case letters, digits and '-', at most 63, not starting with '-')");
        }
        return name;
    }

    /** Reads one network; returns null when a required field is missing or unparsable (problems say why). */
    public static NetworkSpec read(Fields f) {
        int before = f.problems().size();
        String name = f.required("name", NetworkFields::checkName);
        Ipv4Prefix cidr = f.required("cidr", Ipv4Prefix::parse);
        Ipv4Address gateway = f.value("gateway", Ipv4Address::parse);
        // One dns list holds both families (PRODUCT.md "IPv6"): IPv6 servers go to RDNSS and DHCPv6.
        List<Object> anyDns = f.list("dns", NetworkFields::anyAddress);
        List<Ipv4Address> dns = anyDns.stream().filter(Ipv4Address.class::isInstance).map(Ipv4Address.class::cast).toList();
        List<Ipv6Address> ipv6Dns = anyDns.stream().filter(Ipv6Address.class::isInstance).map(Ipv6Address.class::cast).toList();
        String domain = f.string("domain");
        Integer mtu = f.integer("mtu", 68, 65535);
        String bridge = f.string("bridge");
        Integer vlan = f.integer("vlan", 1, 4094);
        Ipv6Prefix ipv6Prefix = f.value("ipv6Prefix", Ipv6Prefix::parse);
        ReleasePolicy release = f.value("release", ReleasePolicy::fromWireName);
        Duration leaseTime = f.value("leaseTime", NetworkFields::positiveDuration);
        Duration renewTime = f.value("renewTime", NetworkFields::positiveDuration);
        Duration rebindTime = f.value("rebindTime", NetworkFields::positiveDuration);
        List<Ipv4Range> pools = f.list("pools", Ipv4Range::parse);
        List<Ipv4Range> exclude = f.list("exclude", Ipv4Range::parse);
        List<Reservation> reservations = new ArrayList<>();
        List<Ipv6Reservation> ipv6Reservations = new ArrayList<>();
        for (Fields r : f.children("reservations")) {
            Object res = readAnyReservation(r);
            if (res instanceof Reservation v4) {
                reservations.add(v4);
            } else if (res instanceof Ipv6Reservation v6) {
                ipv6Reservations.add(v6);
            }
        }
        Ipv6Mode ipv6Mode = f.value("ipv6Mode", Ipv6Mode::fromWireName);
        List<Ipv6Range> ipv6Pools = f.list("ipv6Pools", Ipv6Range::parse);
        RouteSpec route = null;
        Fields rf = f.child("route");
        if (rf != null) {
            route = readRoute(rf);
        }
        List<Ipv4Address> relays = f.list("relays", Ipv4Address::parse);
        List<Ipv4Address> dhcpServers = f.list("dhcpServers", Ipv4Address::parse);
        ClientAccess clients = f.value("clients", ClientAccess::fromWireName);
        LeaseKey leaseKey = f.value("leaseKey", LeaseKey::fromWireName);
        // An unknown key alone does not stop the network's rules from being checked: report both.
        boolean parsed = f.problems().size() == before && name != null && cidr != null;
        f.rejectUnknown();
        if (!parsed) {
            return null;
        }
        return NetworkSpec.builder(name, cidr).gateway(gateway).dns(dns).domain(domain).mtu(mtu).bridge(bridge)
                .vlan(vlan).ipv6Prefix(ipv6Prefix).release(release).leaseTime(leaseTime).renewTime(renewTime)
                .rebindTime(rebindTime).pools(pools).exclude(exclude).reservations(reservations).route(route)
                .relays(relays).dhcpServers(dhcpServers).clients(clients).leaseKey(leaseKey)
                .ipv6Mode(ipv6Mode).ipv6Pools(ipv6Pools).ipv6Dns(ipv6Dns)
                .ipv6Reservations(ipv6Reservations).build();
    }

    private static Object anyAddress(String s) {
        return s.indexOf(':') >= 0 ? Ipv6Address.parse(s) : Ipv4Address.parse(s);
    }

    /** A reservation of either family: IPv6 when its ip is IPv6 or it names a duid. Null after a problem. */
    public static Object readAnyReservation(Fields r) {
        String ip = r.string("ip");
        if (!r.has("duid") && (ip == null || ip.indexOf(':') < 0)) {
            return readReservation(r);
        }
        int before = r.problems().size();
        MacAddress mac = r.value("mac", MacAddress::parse);
        Duid duid = r.value("duid", Duid::parse);
        Ipv6Address v6 = r.required("ip", Ipv6Address::parse);
        String hostname = r.string("hostname");
        r.rejectUnknown();
        if (r.problems().size() > before) {
            return null;
        }
        if (mac == null && duid == null) {
            r.problems().add(r.field("mac"), "an IPv6 reservation needs a mac or a duid");
            return null;
        }
        return new Ipv6Reservation(mac, duid, v6, hostname);
    }

    public static Reservation readReservation(Fields r) {
        int before = r.problems().size();
        MacAddress mac = r.value("mac", MacAddress::parse);
        ClientId clientId = r.value("clientId", ClientId::parse);
        Ipv4Address ip = r.required("ip", Ipv4Address::parse);
        String hostname = r.string("hostname");
        r.rejectUnknown();
        if (r.problems().size() > before) {
            return null;
        }
        if (mac == null && clientId == null) {
            r.problems().add(r.field("mac"), "a reservation needs a mac or a clientId");
            return null;
        }
        return new Reservation(mac, clientId, ip, hostname);
    }

    private static RouteSpec readRoute(Fields rf) {
        int before = rf.problems().size();
        RouteSpec.Mode mode = rf.required("mode", s -> switch (s) {
            case "auto" -> RouteSpec.Mode.AUTO;
            case "manual" -> RouteSpec.Mode.MANUAL;
            default -> throw new IllegalArgumentException("mode must be auto or manual, not \"" + s + "\"");
        });
        Ipv4Prefix cidr = rf.value("cidr", Ipv4Prefix::parse);
        Ipv4Address gateway = rf.value("gateway", Ipv4Address::parse);
        rf.rejectUnknown();
        if (rf.problems().size() > before) {
            return null;
        }
        if (mode == RouteSpec.Mode.MANUAL && (cidr == null || gateway == null)) {
            rf.problems().add(rf.field(cidr == null ? "cidr" : "gateway"), "route mode manual needs cidr and gateway");
            return null;
        }
        return new RouteSpec(mode, cidr, gateway);
    }

    private static Duration positiveDuration(String s) {
        Duration d = Durations.parse(s);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be longer than 0");
        }
        return d;
    }

    /** The network as JSON-ready values with the config file's keys; absent optional fields are left out. */
    public static Map<String, Object> toMap(NetworkSpec n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        m.put("cidr", n.cidr().toString());
        putIf(m, "gateway", n.gateway());
        List<String> dns = new ArrayList<>(strings(n.dns()));
        dns.addAll(strings(n.ipv6Dns()));
        m.put("dns", dns);
        putIf(m, "domain", n.domain());
        putIf(m, "mtu", n.mtu());
        putIf(m, "bridge", n.bridge());
        putIf(m, "vlan", n.vlan());
        putIf(m, "ipv6Prefix", n.ipv6Prefix());
        m.put("release", n.release().wireName());
        m.put("leaseTime", Durations.format(n.leaseTime()));
        m.put("renewTime", Durations.format(n.effectiveRenewTime()));
        m.put("rebindTime", Durations.format(n.effectiveRebindTime()));
        m.put("pools", strings(n.pools()));
        m.put("exclude", strings(n.exclude()));
        List<Map<String, Object>> reservations = new ArrayList<>(n.reservations().stream().map(NetworkFields::toMap).toList());
        for (Ipv6Reservation r : n.ipv6Reservations()) {
            Map<String, Object> rm = new LinkedHashMap<>();
            putIf(rm, "mac", r.mac());
            putIf(rm, "duid", r.duid());
            rm.put("ip", r.ip().toString());
            putIf(rm, "hostname", r.hostname());
            reservations.add(rm);
        }
        m.put("reservations", reservations);
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("mode", n.route().mode().name().toLowerCase(Locale.ROOT));
        putIf(route, "cidr", n.route().cidr());
        putIf(route, "gateway", n.route().gateway());
        m.put("route", route);
        m.put("relays", strings(n.relays()));
        m.put("dhcpServers", strings(n.dhcpServers()));
        m.put("clients", n.clients().wireName());
        m.put("leaseKey", n.leaseKey().wireName());
        if (n.ipv6Prefix() != null) {
            m.put("ipv6Mode", n.ipv6Mode().wireName());
            m.put("ipv6Pools", strings(n.ipv6Pools()));
        }
        return m;
    }

    public static Map<String, Object> toMap(Reservation r) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "mac", r.mac());
        putIf(m, "clientId", r.clientId());
        m.put("ip", r.ip().toString());
        putIf(m, "hostname", r.hostname());
        return m;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value instanceof Integer || value instanceof String ? value : value.toString());
        }
    }

    private static List<String> strings(List<?> values) {
        return values.stream().map(Object::toString).toList();
    }
}
