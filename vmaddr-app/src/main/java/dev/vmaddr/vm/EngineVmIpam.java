package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.NetworkSpec;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * {@link VmIpam} over the allocation engine. {@code editLock} is the lock every other editor of
 * network specs holds (the API's network routes), so a NIC's reservation and an operator's edit
 * never lose each other. Engine refusals become {@link VmException}s (404 / 409).
 */
public final class EngineVmIpam implements VmIpam {
    private final AllocationEngine engine;
    private final Object editLock;

    public EngineVmIpam(AllocationEngine engine, Object editLock) {
        this.engine = engine;
        this.editLock = editLock;
    }

    @Override
    public Optional<NetworkSpec> network(String name) {
        return engine.network(name);
    }

    @Override
    public void editNetwork(String network, UnaryOperator<NetworkSpec> change) {
        synchronized (editLock) {
            NetworkSpec current = engine.network(network).orElseThrow(() -> VmException.notFound("network " + network));
            NetworkSpec next = change.apply(current);
            if (next != null) {
                engine.putNetwork(next);
            }
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
    public void release(String network, Ipv4Address ip) {
        if (engine.network(network).isPresent()) {
            engine.releaseAddress(network, ip);
        }
    }
}
