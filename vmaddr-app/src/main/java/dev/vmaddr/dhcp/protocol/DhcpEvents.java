package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.model.Lease;

/**
 * What the DHCP server did, for metrics and logs (the server wires an implementation that feeds
 * Micrometer and SLF4J; this package depends on neither). Called on the packet's thread, possibly by
 * many threads at once: implementations must be thread-safe and quick. All methods default to no-op.
 */
public interface DhcpEvents {
    DhcpEvents NONE = new DhcpEvents() {
    };

    /** A decoded request; {@code type} is null when it had no (known) message type. */
    default void received(DhcpMessageType type, ReceiveContext ctx) {
    }

    /** A reply was produced; the server sends it next (a failed send is logged by the server). */
    default void sent(Reply reply) {
    }

    /** Called by the receive loop when the decoder rejects a datagram. */
    default void malformed(String reason, ReceiveContext ctx) {
    }

    default void dropped(DropReason reason, String detail) {
    }

    /** A NAK is being sent; {@code reason} names the check that failed. */
    default void nak(String network, String reason) {
    }

    default void probeConflict(String network, Ipv4Address ip) {
    }

    /** A probe answered after its timeout, once the address was offered: quarantined now. */
    default void lateProbeConflict(String network, Ipv4Address ip) {
    }

    default void probeFailed(String network, Ipv4Address ip, Throwable error) {
    }

    default void lease(LeaseEvent event, Lease lease) {
    }
}
