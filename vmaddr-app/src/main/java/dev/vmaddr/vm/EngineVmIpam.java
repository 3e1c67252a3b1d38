package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.ipam.NetworkEditException;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.ipam.SharedClientId;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * {@link VmIpam} over the allocation engine (addresses) and the network catalog (reservations:
 * the catalog serializes them with every other edit of a network, the API's included). Refusals
 * become {@link VmException}s (400 / 404 / 409).
 */
public final class EngineVmIpam implements VmIpam {
    private final AllocationEngine engine;
    private final NetworkCatalog catalog;

    public EngineVmIpam(AllocationEngine engine, NetworkCatalog catalog) {
        this.engine = engine;
        this.catalog = catalog;
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
