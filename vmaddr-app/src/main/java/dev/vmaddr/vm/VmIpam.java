package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv6Address;
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

    /**
     * The DHCPv6 (IA_NA) address of {@code mac} on {@code network}: the address of its live binding
     * (the server records the MAC from the client link-layer address option or a DUID-LL/LLT), else
     * the address an IPv6 reservation by that MAC gives it. Empty when the network hands out no
     * DHCPv6 addresses ({@code ipv6Mode: slaac}) or neither exists. Only a lookup: the inventory
     * never allocates IPv6 addresses itself (the DHCPv6 server binds them when the guest asks).
     */
    default Optional<Ipv6Address> dhcpv6Address(String network, MacAddress mac) {
        return Optional.empty();
    }

    /**
     * Whether {@code ip} is bound by DHCPv6 to a client whose MAC the server does not know (a DUID-EN
     * or DUID-UUID, as systemd-networkd sends by default, and no relay giving the link-layer
     * address): such an address may be a NIC's own without {@link #dhcpv6Address} finding it, so
     * drift must not call it foreign.
     */
    default boolean dhcpv6BoundWithoutMac(String network, Ipv6Address ip) {
        return false;
    }
}
