package dev.vmaddr.dhcp.server;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.protocol.LeaseOperations;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * The allocation engine seen through the protocol's {@link LeaseOperations}: the engine knows
 * nothing of DHCP, the protocol nothing of how the engine is built.
 */
public record EngineLeaseOperations(AllocationEngine engine) implements LeaseOperations {
    @Override
    public Optional<NetworkSpec> networkForRelay(Ipv4Address giaddr) {
        return engine.networkForRelay(giaddr);
    }

    @Override
    public Optional<NetworkSpec> networkForInterface(String ifname) {
        return engine.networkForInterface(ifname);
    }

    @Override
    public Optional<NetworkSpec> networkContaining(Ipv4Address ip) {
        return engine.networkContaining(ip);
    }

    @Override
    public Optional<NetworkSpec> network(String name) {
        return engine.network(name);
    }

    @Override
    public Lease offer(String network, AllocationRequest req, Duration holdFor) {
        return engine.offer(network, req, holdFor);
    }

    @Override
    public Lease bind(String network, AllocationRequest req, Ipv4Address ip) {
        return engine.bind(network, req, ip);
    }

    @Override
    public Optional<Lease> release(String network, HolderKey holder, Ipv4Address ip) {
        return engine.release(network, holder, ip);
    }

    @Override
    public Lease decline(String network, HolderKey holder, Ipv4Address ip) {
        return engine.decline(network, holder, ip);
    }

    @Override
    public Lease markConflict(String network, Ipv4Address ip, String evidence) {
        return engine.markConflict(network, ip, evidence);
    }

    @Override
    public Optional<Lease> leaseOf(String network, HolderKey holder) {
        return engine.leaseOf(network, holder);
    }

    @Override
    public Optional<Lease> clientLease(String network, AllocationRequest req) {
        return engine.clientLease(network, req);
    }

    @Override
    public Optional<Lease> lease(String network, Ipv4Address ip) {
        return engine.lease(network, ip);
    }
}
