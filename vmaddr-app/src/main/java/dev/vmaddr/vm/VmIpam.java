package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.ipam.SharedClientId;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The part of IPAM the VM inventory uses, one method per {@code dev.vmaddr.ipam.AllocationEngine}
 * operation, so the wiring adapts the engine in a few lines and the inventory's rules (reservations
 * per NIC) stay here.
 */
public interface VmIpam {
    Optional<NetworkSpec> network(String name);

    /**
     * Adds a reservation, durable on return.
     *
     * @throws VmException CONFLICT when the address is reserved for another client or the MAC has
     *                     another address; NOT_FOUND when there is no such network
     */
    void reserve(String network, Reservation reservation);

    /**
     * Read-modify-write of the network's spec (a reservation moved or removed), durable on
     * return. {@code change} returns null to write nothing. Implementations serialize this with
     * every other edit of the same network (the API's reservation and pool routes included), or two
     * edits could lose each other.
     *
     * @throws VmException NOT_FOUND when there is no such network
     */
    void editNetwork(String network, UnaryOperator<NetworkSpec> change);

    /**
     * Binds an address to {@code mac} durably, the requested one when given.
     *
     * @throws VmException CONFLICT when the requested address is taken or the pool is exhausted
     */
    Ipv4Address allocate(String network, MacAddress mac, Ipv4Address requestedIp, String hostname);

    /** Gives the lease on {@code ip} back; no-op when there is none. */
    void release(String network, Ipv4Address ip);

    /** Client-ids seen binding from several MACs in {@code network} (cloned machine-ids), newest first. */
    default List<SharedClientId> sharedClientIds(String network) {
        return List.of();
    }

    /**
     * A guest uses {@code ip}, which is not its NIC's address: blocked so it is never offered while
     * the guest keeps it. False when another client holds it (that is a conflict on the wire, left
     * to the drift finding and the doctor, not a reason to take the holder's lease away).
     */
    default boolean markSquatted(String network, Ipv4Address ip, MacAddress squatter, String evidence) {
        return false;
    }
}
