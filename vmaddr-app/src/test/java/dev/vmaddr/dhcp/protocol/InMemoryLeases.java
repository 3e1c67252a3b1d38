package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.ipam.HolderKey;
import dev.vmaddr.ipam.Lease;
import dev.vmaddr.ipam.LeaseState;
import dev.vmaddr.ipam.NetworkSpec;
import dev.vmaddr.ipam.Reservation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small, non-durable stand-in for the IPAM allocation engine (branch {@code ipam}, not on main when
 * these tests were written), following its promised contract. Replace with the real engine over an
 * in-memory store once it lands. One lock: fine for tests and the fuzz run.
 */
final class InMemoryLeases implements LeaseOperations {
    static final Duration QUARANTINE = Duration.ofHours(1);

    private final List<NetworkSpec> networks;
    private final Clock clock;
    private final Map<String, Map<Ipv4Address, Lease>> byIp = new HashMap<>();

    InMemoryLeases(Clock clock, NetworkSpec... networks) {
        this.clock = clock;
        this.networks = List.of(networks);
        for (NetworkSpec n : networks) {
            byIp.put(n.name(), new HashMap<>());
        }
    }

    @Override
    public Optional<NetworkSpec> networkForRelay(Ipv4Address giaddr) {
        return networks.stream().filter(n -> n.servesRelay(giaddr)).findFirst();
    }

    @Override
    public Optional<NetworkSpec> networkForInterface(String ifname) {
        return networks.stream().filter(n -> ifname.equals(n.bridge())).findFirst();
    }

    @Override
    public Optional<NetworkSpec> networkContaining(Ipv4Address ip) {
        return networks.stream().filter(n -> n.cidr().contains(ip)).findFirst();
    }

    @Override
    public Optional<NetworkSpec> network(String name) {
        return networks.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    @Override
    public synchronized Lease offer(String network, AllocationRequest req, Duration holdFor) {
        NetworkSpec net = spec(network);
        Instant now = clock.instant();
        Optional<Lease> mine = leaseOf(network, req.holder());
        if (mine.isPresent() && mine.get().occupiesAt(now) && mine.get().state() != LeaseState.DECLINED) {
            return mine.get();
        }
        Ipv4Address ip = reservedFor(net, req).orElse(null);
        if (ip == null && req.requestedIp() != null && usable(net, req, req.requestedIp(), now)) {
            ip = req.requestedIp();
        }
        if (ip == null && mine.isPresent() && usable(net, req, mine.get().ip(), now)) {
            ip = mine.get().ip();
        }
        for (Ipv4Range pool : net.pools()) {
            for (long a = pool.first().unsigned(); ip == null && a <= pool.last().unsigned(); a++) {
                Ipv4Address candidate = new Ipv4Address((int) a);
                if (usable(net, req, candidate, now)) {
                    ip = candidate;
                }
            }
        }
        if (ip == null) {
            throw new AllocationException(Reason.EXHAUSTED, "no free address in " + network);
        }
        return put(new Lease(network, ip, req.mac(), req.clientId(), req.hostname(), LeaseState.OFFERED, now.plus(holdFor), now));
    }

    @Override
    public synchronized Lease bind(String network, AllocationRequest req, Ipv4Address ip) {
        NetworkSpec net = spec(network);
        Instant now = clock.instant();
        if (!net.cidr().contains(ip)) {
            throw new AllocationException(Reason.NOT_IN_NETWORK, ip + " is not in " + net.cidr());
        }
        Optional<Ipv4Address> reserved = reservedFor(net, req);
        if (reserved.isEmpty() && net.reservations().stream().anyMatch(r -> r.ip().equals(ip))) {
            throw new AllocationException(Reason.RESERVED_FOR_OTHER, ip + " is reserved");
        }
        if (reserved.isEmpty() && net.pools().stream().noneMatch(p -> p.contains(ip))) {
            throw new AllocationException(Reason.NOT_ALLOWED, ip + " is outside the pools");
        }
        Lease current = byIp.get(network).get(ip);
        if (current != null && current.occupiesAt(now) && !current.holder().equals(req.holder())) {
            throw new AllocationException(Reason.ADDRESS_TAKEN, ip + " is held by " + current.holder());
        }
        if (current != null && current.state() == LeaseState.DECLINED && current.occupiesAt(now)) {
            throw new AllocationException(Reason.ADDRESS_TAKEN, ip + " is quarantined");
        }
        Duration time = req.leaseTime() != null ? req.leaseTime() : net.leaseTime();
        return put(new Lease(network, ip, req.mac(), req.clientId(), req.hostname(), LeaseState.BOUND, now.plus(time), now));
    }

    @Override
    public synchronized Optional<Lease> release(String network, HolderKey holder, Ipv4Address ip) {
        Lease current = byIp.get(network).get(ip);
        if (current == null || !current.holder().equals(holder) || current.state() == LeaseState.DECLINED) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return Optional.of(put(current.withState(LeaseState.RELEASED, now, now)));
    }

    @Override
    public synchronized Lease decline(String network, HolderKey holder, Ipv4Address ip) {
        Lease current = byIp.get(network).get(ip);
        if (current == null || !current.holder().equals(holder)) {
            throw new AllocationException(Reason.NO_LEASE, holder + " holds no lease on " + ip);
        }
        Instant now = clock.instant();
        return put(current.withState(LeaseState.DECLINED, now.plus(QUARANTINE), now));
    }

    @Override
    public synchronized Lease markConflict(String network, Ipv4Address ip, String evidence) {
        Instant now = clock.instant();
        Lease current = byIp.get(network).get(ip);
        Lease conflict = current != null ? current.withState(LeaseState.DECLINED, now.plus(QUARANTINE), now)
                : new Lease(network, ip, new dev.vmaddr.addr.MacAddress(0), null, null, LeaseState.DECLINED, now.plus(QUARANTINE), now);
        return put(conflict);
    }

    @Override
    public synchronized Optional<Lease> leaseOf(String network, HolderKey holder) {
        return byIp.get(network).values().stream().filter(l -> l.holder().equals(holder))
                .max(java.util.Comparator.comparing(Lease::updatedAt));
    }

    @Override
    public synchronized Optional<Lease> lease(String network, Ipv4Address ip) {
        return Optional.ofNullable(byIp.get(network).get(ip));
    }

    private Lease put(Lease lease) {
        // one lease per holder: drop the holder's other non-quarantined records
        byIp.get(lease.network()).values().removeIf(l -> l.holder().equals(lease.holder()) && !l.ip().equals(lease.ip())
                && l.state() != LeaseState.DECLINED);
        byIp.get(lease.network()).put(lease.ip(), lease);
        return lease;
    }

    private NetworkSpec spec(String network) {
        return network(network).orElseThrow(() -> new AllocationException(Reason.UNKNOWN_NETWORK, network));
    }

    private Optional<Ipv4Address> reservedFor(NetworkSpec net, AllocationRequest req) {
        return net.reservations().stream().filter(r -> r.matches(req.mac(), req.clientId())).map(Reservation::ip).findFirst();
    }

    private boolean usable(NetworkSpec net, AllocationRequest req, Ipv4Address ip, Instant now) {
        if (net.pools().stream().noneMatch(p -> p.contains(ip)) || net.exclude().stream().anyMatch(p -> p.contains(ip))
                || net.reservations().stream().anyMatch(r -> r.ip().equals(ip)) || net.cidr().isNetworkOrBroadcast(ip)) {
            return false;
        }
        Lease current = byIp.get(net.name()).get(ip);
        return current == null || !current.occupiesAt(now) || current.holder().equals(req.holder()) && current.state() != LeaseState.DECLINED;
    }
}
