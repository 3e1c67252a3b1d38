package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.model.LeaseKey;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules between a network's fields, shared by config loading, the API and the allocation
 * engine. Returns every problem found (not just the first) so an operator fixes them in one pass.
 *
 * <p>Limits that exist for the allocation engine's sake: the CIDR is at most a /8 (so an address's
 * offset in its network fits the engine's 24-bit slots) and the pools together hold at most 2^24
 * addresses (a 2 MB free-address bitmap).
 */
public final class NetworkValidator {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Linux interface names: at most 15 bytes, no '/', no whitespace, not "." or "..". */
    private static final Pattern IFNAME = Pattern.compile("[^/\\s:]{1,15}");
    public static final int SHORTEST_PREFIX = 8;

    private NetworkValidator() {}

    public static List<FieldProblem> validate(NetworkSpec n) {
        List<FieldProblem> out = new ArrayList<>();
        if (!NAME.matcher(n.name()).matches()) {
            out.add(new FieldProblem("name", "\"" + n.name()
                    + "\" must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"));
        }
        Ipv4Prefix cidr = n.cidr();
        if (cidr.length() < SHORTEST_PREFIX) {
            out.add(new FieldProblem("cidr", cidr + " is larger than a /" + SHORTEST_PREFIX));
        }
        Ipv4Address gw = n.gateway();
        if (gw != null) {
            if (!cidr.contains(gw)) {
                out.add(new FieldProblem("gateway", gw + " is outside " + cidr));
            } else if (cidr.isNetworkOrBroadcast(gw)) {
                out.add(new FieldProblem("gateway", gw + " is the " + (gw.equals(cidr.network()) ? "network" : "broadcast")
                        + " address of " + cidr));
            }
        }
        long poolTotal = 0;
        for (int i = 0; i < n.pools().size(); i++) {
            Ipv4Range p = n.pools().get(i);
            poolTotal += p.size();
            if (!cidr.contains(p)) {
                out.add(new FieldProblem("pools[" + i + "]", p + " is not inside " + cidr));
            }
            for (int j = 0; j < i; j++) {
                if (p.overlaps(n.pools().get(j))) {
                    out.add(new FieldProblem("pools[" + i + "]", p + " overlaps pools[" + j + "] " + n.pools().get(j)));
                }
            }
        }
        if (poolTotal > (1L << 24)) {
            out.add(new FieldProblem("pools", "together hold " + poolTotal + " addresses, more than 2^24"));
        }
        for (int i = 0; i < n.exclude().size(); i++) {
            Ipv4Range e = n.exclude().get(i);
            if (!cidr.contains(e)) {
                out.add(new FieldProblem("exclude[" + i + "]", e + " is not inside " + cidr));
            }
        }
        validateReservations(n, out);
        if (n.leaseKey() == LeaseKey.MAC) {
            for (int i = 0; i < n.reservations().size(); i++) {
                Reservation r = n.reservations().get(i);
                if (r.mac() == null) {
                    out.add(new FieldProblem("reservations[" + i + "].clientId", "leaseKey is mac, so a reservation by"
                            + " client-id alone never matches: reserve " + r.ip() + " by mac"));
                }
            }
        }
        validateTimes(n, out);
        if (n.vlan() != null && (n.vlan() < 1 || n.vlan() > 4094)) {
            out.add(new FieldProblem("vlan", n.vlan() + " is outside 1-4094"));
        }
        if (n.mtu() != null && (n.mtu() < 68 || n.mtu() > 65535)) {
            out.add(new FieldProblem("mtu", n.mtu() + " is outside 68-65535"));
        }
        if (n.bridge() != null && (!IFNAME.matcher(n.bridge()).matches() || n.bridge().equals(".")
                || n.bridge().equals(".."))) {
            out.add(new FieldProblem("bridge", "\"" + n.bridge() + "\" is not a Linux interface name (1-15 characters, no '/', ':' or spaces)"));
        }
        if (n.ipv6Prefix() != null && n.ipv6Prefix().length() != 64) {
            out.add(new FieldProblem("ipv6Prefix", n.ipv6Prefix() + " must be a /64 for SLAAC addresses"));
        }
        validateIpv6(n, out);
        for (int i = 0; i < n.relays().size(); i++) {
            if (n.relays().get(i).isAny()) {
                out.add(new FieldProblem("relays[" + i + "]", "0.0.0.0 is not a relay agent address"));
            }
        }
        return out;
    }

    private static void validateReservations(NetworkSpec n, List<FieldProblem> out) {
        Map<Ipv4Address, Integer> byIp = new HashMap<>();
        Map<Object, Integer> byMac = new HashMap<>();
        Map<Object, Integer> byClientId = new HashMap<>();
        for (int i = 0; i < n.reservations().size(); i++) {
            Reservation r = n.reservations().get(i);
            String f = "reservations[" + i + "]";
            if (!n.cidr().contains(r.ip())) {
                out.add(new FieldProblem(f + ".ip", r.ip() + " is outside " + n.cidr()));
            } else if (n.cidr().isNetworkOrBroadcast(r.ip())) {
                out.add(new FieldProblem(f + ".ip", r.ip() + " is the network or broadcast address"));
            } else if (r.ip().equals(n.gateway())) {
                out.add(new FieldProblem(f + ".ip", r.ip() + " is the gateway"));
            }
            Integer other = byIp.putIfAbsent(r.ip(), i);
            if (other != null) {
                out.add(new FieldProblem(f + ".ip", r.ip() + " is already reserved by reservations[" + other + "]"));
            }
            if (r.mac() != null) {
                other = byMac.putIfAbsent(r.mac(), i);
                if (other != null) {
                    out.add(new FieldProblem(f + ".mac", r.mac() + " already has reservations[" + other + "]"));
                }
                if (!r.mac().isUnicast()) {
                    out.add(new FieldProblem(f + ".mac", r.mac() + " is a multicast address"));
                }
            }
            if (r.clientId() != null) {
                other = byClientId.putIfAbsent(r.clientId(), i);
                if (other != null) {
                    out.add(new FieldProblem(f + ".clientId", r.clientId() + " already has reservations[" + other + "]"));
                }
            }
        }
    }

    private static void validateTimes(NetworkSpec n, List<FieldProblem> out) {
        Duration lease = n.leaseTime();
        if (lease.isNegative() || lease.isZero() || lease.getSeconds() > 0xFFFF_FFFEL) {
            out.add(new FieldProblem("leaseTime", lease + " must be positive and below 2^32-1 seconds"));
            return;
        }
        Duration renew = n.effectiveRenewTime();
        Duration rebind = n.effectiveRebindTime();
        if (n.renewTime() != null && (renew.isNegative() || renew.isZero())) {
            out.add(new FieldProblem("renewTime", renew + " must be positive"));
        }
        if (renew.compareTo(rebind) >= 0) {
            out.add(new FieldProblem(n.renewTime() != null ? "renewTime" : "rebindTime",
                    "renew time " + renew + " must be shorter than rebind time " + rebind));
        }
        if (rebind.compareTo(lease) >= 0) {
            out.add(new FieldProblem(n.rebindTime() != null ? "rebindTime" : "renewTime",
                    "rebind time " + rebind + " must be shorter than lease time " + lease));
        }
    }

    /**
     * Rules across networks: names unique, CIDRs disjoint. Fields are {@code networks[i].name} and
     * {@code networks[i].cidr}; each network's own rules are reported as {@code networks[i].<field>}.
     */
    public static List<FieldProblem> validateAll(List<NetworkSpec> networks) {
        List<FieldProblem> out = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < networks.size(); i++) {
            NetworkSpec n = networks.get(i);
            String prefix = "networks[" + i + "].";
            for (FieldProblem p : validate(n)) {
                out.add(new FieldProblem(prefix + p.field(), p.problem()));
            }
            Integer other = names.putIfAbsent(n.name(), i);
            if (other != null) {
                out.add(new FieldProblem(prefix + "name", "\"" + n.name() + "\" is also the name of networks[" + other + "]"));
            }
            for (int j = 0; j < i; j++) {
                if (n.cidr().overlaps(networks.get(j).cidr())) {
                    out.add(new FieldProblem(prefix + "cidr", n.cidr() + " overlaps networks[" + j + "] "
                            + networks.get(j).name() + " " + networks.get(j).cidr()));
                }
            }
        }
        return out;
    }

    /**
     * The networks among {@code others}, other than {@code n} itself (same name), whose CIDR overlaps
     * {@code n}'s. Networks must not overlap: an address (a relayed giaddr, a lease) names one network.
     */
    public static List<NetworkSpec> overlapping(NetworkSpec n, List<NetworkSpec> others) {
        List<NetworkSpec> out = new ArrayList<>();
        for (NetworkSpec o : others) {
            if (!o.name().equals(n.name()) && o.cidr().overlaps(n.cidr())) {
                out.add(o);
            }
        }
        return out;
    }

    /** Throws {@link NetworkValidationException} when {@link #validate} finds anything. */
    public static NetworkSpec requireValid(NetworkSpec n) {
        List<FieldProblem> problems = validate(n);
        if (!problems.isEmpty()) {
            throw new NetworkValidationException(n.name(), problems);
        }
        return n;
    }

    /** DHCPv6 pools and reservations lie in the /64; a pool index is at most 2^24 addresses, as for IPv4. */
    private static void validateIpv6(NetworkSpec n, List<FieldProblem> out) {
        dev.vmaddr.addr.Ipv6Prefix p = n.ipv6Prefix();
        if (p == null) {
            if (n.ipv6Mode().managed()) {
                out.add(new FieldProblem("ipv6Mode", n.ipv6Mode().wireName() + " needs an ipv6Prefix"));
            }
            if (!n.ipv6Pools().isEmpty()) {
                out.add(new FieldProblem("ipv6Pools", "need an ipv6Prefix"));
            }
            if (!n.ipv6Reservations().isEmpty()) {
                out.add(new FieldProblem("reservations", "IPv6 reservations need an ipv6Prefix"));
            }
            return;
        }
        long total = 0;
        for (int i = 0; i < n.ipv6Pools().size(); i++) {
            dev.vmaddr.addr.Ipv6Range r = n.ipv6Pools().get(i);
            if (!p.contains(r.first()) || !p.contains(r.last())) {
                out.add(new FieldProblem("ipv6Pools[" + i + "]", r + " is not inside " + p));
            }
            for (int j = 0; j < i; j++) {
                if (r.overlaps(n.ipv6Pools().get(j))) {
                    out.add(new FieldProblem("ipv6Pools[" + i + "]", r + " overlaps " + n.ipv6Pools().get(j)));
                }
            }
            total += Math.min(r.size(), 1L << 40);
        }
        if (total > (1L << 24)) {
            out.add(new FieldProblem("ipv6Pools", "together hold more than 2^24 addresses"));
        }
        java.util.Set<dev.vmaddr.addr.Ipv6Address> seen = new java.util.HashSet<>();
        for (int i = 0; i < n.ipv6Reservations().size(); i++) {
            dev.vmaddr.model.Ipv6Reservation r = n.ipv6Reservations().get(i);
            if (!p.contains(r.ip())) {
                out.add(new FieldProblem("reservations", r.ip() + " is outside " + p));
            } else if (!seen.add(r.ip())) {
                out.add(new FieldProblem("reservations", r.ip() + " is reserved twice"));
            }
        }
    }
}
