package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.NetworkSpec;
import dev.vmaddr.ipam.Reservation;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Stand-in for {@code dev.vmaddr.ipam.AllocationEngine} until it is on main: the rules the inventory
 * relies on (an address is held by one MAC; a MAC with a reservation gets its reserved address; a
 * reserved address goes to no one else), one lock for everything.
 */
final class InMemoryIpam implements VmIpam {
    private final Map<String, NetworkSpec> networks = new HashMap<>();
    private final Map<String, Map<Ipv4Address, MacAddress>> leases = new HashMap<>();

    @Override
    public synchronized Optional<NetworkSpec> network(String name) {
        return Optional.ofNullable(networks.get(name));
    }

    @Override
    public synchronized void editNetwork(String network, UnaryOperator<NetworkSpec> change) {
        NetworkSpec spec = networks.get(network);
        if (spec == null) {
            throw VmException.notFound("network " + network);
        }
        NetworkSpec next = change.apply(spec);
        if (next != null) {
            putNetwork(next);
        }
    }

    synchronized void putNetwork(NetworkSpec spec) {
        networks.put(spec.name(), spec);
        leases.computeIfAbsent(spec.name(), n -> new HashMap<>());
    }

    @Override
    public synchronized Ipv4Address allocate(String network, MacAddress mac, Ipv4Address requestedIp, String hostname) {
        NetworkSpec spec = networks.get(network);
        if (spec == null) {
            throw VmException.notFound("network " + network);
        }
        Map<Ipv4Address, MacAddress> held = leases.get(network);
        for (Reservation r : spec.reservations()) {
            if (mac.equals(r.mac())) {
                MacAddress holder = held.get(r.ip());
                if (holder != null && !holder.equals(mac)) {
                    throw VmException.conflict(r.ip() + " is reserved for " + mac + " but held by " + holder);
                }
                held.put(r.ip(), mac);
                return r.ip();
            }
        }
        if (requestedIp != null) {
            if (!free(spec, held, requestedIp, mac)) {
                throw VmException.conflict(requestedIp + " is taken in " + network);
            }
            held.put(requestedIp, mac);
            return requestedIp;
        }
        for (Ipv4Range pool : spec.pools()) {
            for (long i = 0; i < pool.size(); i++) {
                Ipv4Address a = pool.first().plus(i);
                if (free(spec, held, a, mac)) {
                    held.put(a, mac);
                    return a;
                }
            }
        }
        throw VmException.conflict("network " + network + " has no free address");
    }

    private static boolean free(NetworkSpec spec, Map<Ipv4Address, MacAddress> held, Ipv4Address a, MacAddress mac) {
        MacAddress holder = held.get(a);
        if (holder != null && !holder.equals(mac)) {
            return false;
        }
        return spec.reservations().stream().noneMatch(r -> a.equals(r.ip()) && !mac.equals(r.mac()));
    }

    @Override
    public synchronized void release(String network, Ipv4Address ip) {
        Map<Ipv4Address, MacAddress> held = leases.get(network);
        if (held != null) {
            held.remove(ip);
        }
    }

    synchronized Map<Ipv4Address, MacAddress> leases(String network) {
        return Map.copyOf(leases.get(network));
    }
}
