package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.NetworkSpec;
import java.util.Optional;

/**
 * The part of IPAM the VM inventory uses, one method per {@code dev.vmaddr.ipam.AllocationEngine}
 * operation, so the wiring adapts the engine in a few lines and the inventory's rules (reservations
 * per NIC) stay here.
 */
public interface VmIpam {
    Optional<NetworkSpec> network(String name);

    /** Replaces the network's spec (durable on return). */
    void putNetwork(NetworkSpec spec);

    /**
     * Binds an address to {@code mac} durably, the requested one when given.
     *
     * @throws VmException CONFLICT when the requested address is taken or the pool is exhausted
     */
    Ipv4Address allocate(String network, MacAddress mac, Ipv4Address requestedIp, String hostname);

    /** Gives the lease on {@code ip} back; no-op when there is none. */
    void release(String network, Ipv4Address ip);
}
