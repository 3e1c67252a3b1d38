package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * What the DHCP protocol needs from the allocation engine, and nothing more: the protocol sees the
 * engine only through this (LayerDirectionTest keeps it so).
 * {@code dev.vmaddr.dhcp.server.EngineLeaseOperations} adapts {@code dev.vmaddr.ipam.AllocationEngine}
 * to it, one delegating call per method, so the engine knows nothing of DHCP and the protocol
 * nothing of how the engine is built. Every method may throw
 * {@link dev.vmaddr.ipam.AllocationException}.
 */
public interface LeaseOperations {
    Optional<NetworkSpec> networkForRelay(Ipv4Address giaddr);

    Optional<NetworkSpec> networkForInterface(String ifname);

    Optional<NetworkSpec> networkContaining(Ipv4Address ip);

    Optional<NetworkSpec> network(String name);

    /** DISCOVER: an in-memory OFFERED hold for {@code holdFor}. */
    Lease offer(String network, AllocationRequest req, Duration holdFor);

    /** REQUEST: BOUND and durable before it returns. */
    Lease bind(String network, AllocationRequest req, Ipv4Address ip);

    Optional<Lease> release(String network, HolderKey holder, Ipv4Address ip);

    Lease decline(String network, HolderKey holder, Ipv4Address ip);

    /** A probe found the address answering: quarantine it. */
    Lease markConflict(String network, Ipv4Address ip, String evidence);

    Optional<Lease> leaseOf(String network, HolderKey holder);

    /** The client's lease for its REQUEST: its own, else the bound lease of its MAC under another client-id (or none). */
    Optional<Lease> clientLease(String network, AllocationRequest req);

    Optional<Lease> lease(String network, Ipv4Address ip);
}
