package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.ipam.NetworkEditException;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.ipam.SharedClientId;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * {@link VmIpam} over the allocation engine (addresses) and the network catalog (reservations:
 * the catalog serializes them with every other edit of a network, the API's included). Refusals
 * become {@link VmException}s (400 / 404 / 409). DHCPv6 addresses are read from the DHCPv6 lease
 * book when one is given (a server without DHCPv6 passes none).
 */
public final class EngineVmIpam implements VmIpam {
    private final AllocationEngine engine;
    private final NetworkCatalog catalog;
    private final Ipv6Leases ipv6Leases;
    private final Clock clock;

    public EngineVmIpam(AllocationEngine engine, NetworkCatalog catalog) {
        this(engine, catalog, null, Clock.systemUTC());
    }

    /** @param ipv6Leases null when there are no DHCPv6 leases to show (reservations still are) */
    public EngineVmIpam(AllocationEngine engine, NetworkCatalog catalog, Ipv6Leases ipv6Leases, Clock clock) {
        this.engine = engine;
        this.catalog = catalog;
        this.ipv6Leases = ipv6Leases;
        this.clock = clock;
    }

    /**
     * A bound, unexpired lease first (what the guest holds now; the newest when a guest has several
     * IAs or DUIDs, e.g. after a reinstall), then a reservation by MAC (what it will get).
     */
    @Override
    public Optional<Ipv6Address> dhcpv6Address(String network, MacAddress mac) {
        Optional<NetworkSpec> spec = catalog.get(network);
        if (mac == null || spec.isEmpty() || spec.get().ipv6Prefix() == null || !spec.get().ipv6Mode().managed()) {
            return Optional.empty();
        }
        if (ipv6Leases != null) {
            Optional<Lease6> bound = ipv6Leases.boundTo(network, mac);
            if (bound.isPresent()) {
                return Optional.of(bound.get().ip());
            }
        }
        return spec.get().ipv6Reservations().stream().filter(r -> mac.equals(r.mac())).map(Ipv6Reservation::ip).findFirst();
    }

    @Override
    public Optional<NetworkSpec> network(String name) {
        return catalog.get(name);
    }

    @Override
    public void reserve(String network, Reservation reservation) {
        refusalsAsVmException(() -> catalog.addReservation(network, reservation, NetworkCatalog.LeaseClash.REFUSE));
    }

    @Override
    public void editNetwork(String network, UnaryOperator<NetworkSpec> change) {
        refusalsAsVmException(() -> catalog.edit(network, current -> {
            NetworkSpec next = change.apply(current);
            return next == null ? current : next;
        }));
    }

    private static void refusalsAsVmException(Supplier<?> edit) {
        try {
            edit.get();
        } catch (NetworkEditException e) {
            VmException.Kind kind = switch (e.kind()) {
                case INVALID -> VmException.Kind.BAD_INPUT;
                case CONFLICT -> VmException.Kind.CONFLICT;
                case NOT_FOUND -> VmException.Kind.NOT_FOUND;
            };
            throw new VmException(kind, e.getMessage(), e);
        }
    }

    @Override
    public Ipv4Address allocate(String network, MacAddress mac, Ipv4Address requestedIp, String hostname) {
        try {
            return engine.allocate(network, new AllocationRequest(mac, null, requestedIp, hostname, null)).ip();
        } catch (AllocationException e) {
            throw switch (e.reason()) {
                case UNKNOWN_NETWORK -> new VmException(VmException.Kind.NOT_FOUND, e.getMessage(), e);
                case STORE_UNAVAILABLE -> e; // 503, not a conflict
                default -> new VmException(VmException.Kind.CONFLICT, e.getMessage(), e);
            };
        }
    }

    @Override
    public boolean dhcpv6BoundWithoutMac(String network, Ipv6Address ip) {
        if (ipv6Leases == null) {
            return false;
        }
        java.time.Instant now = clock.instant();
        return ipv6Leases.lease(network, ip)
                .filter(l -> l.mac() == null && l.state() == LeaseState.BOUND && l.occupiesAt(now)).isPresent();
    }

    @Override
    public List<SharedClientId> sharedClientIds(String network) {
        return engine.network(network).isPresent() ? engine.sharedClientIds(network) : List.of();
    }

    @Override
    public boolean markSquatted(String network, Ipv4Address ip, MacAddress squatter, String evidence) {
        try {
            return engine.markSquatted(network, ip, squatter, evidence);
        } catch (AllocationException e) {
            return false; // not in the network, or gone meanwhile: nothing to block
        }
    }

    @Override
    public void release(String network, Ipv4Address ip) {
        if (engine.network(network).isPresent()) {
            engine.releaseAddress(network, ip);
        }
    }
}
