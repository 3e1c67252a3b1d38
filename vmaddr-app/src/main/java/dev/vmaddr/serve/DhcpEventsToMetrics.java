package dev.vmaddr.serve;

import static dev.vmaddr.dhcp.codec.DhcpMessageType.ACK;
import static dev.vmaddr.dhcp.codec.DhcpMessageType.DECLINE;
import static dev.vmaddr.dhcp.codec.DhcpMessageType.DISCOVER;
import static dev.vmaddr.dhcp.codec.DhcpMessageType.INFORM;
import static dev.vmaddr.dhcp.codec.DhcpMessageType.NAK;
import static dev.vmaddr.dhcp.codec.DhcpMessageType.OFFER;
import static dev.vmaddr.dhcp.codec.DhcpMessageType.RELEASE;
import static dev.vmaddr.dhcp.codec.DhcpMessageType.REQUEST;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.protocol.DhcpEvents;
import dev.vmaddr.dhcp.protocol.DropReason;
import dev.vmaddr.dhcp.protocol.LeaseEvent;
import dev.vmaddr.dhcp.protocol.ReceiveContext;
import dev.vmaddr.dhcp.protocol.Reply;
import dev.vmaddr.metrics.DhcpMetrics;
import dev.vmaddr.model.Lease;
import java.util.stream.Stream;

/**
 * DHCP events to Prometheus counters, then on to the next listener (the event log). Lives in serve
 * because it is wiring: the protocol knows no Micrometer, the metrics package no DHCP.
 */
record DhcpEventsToMetrics(DhcpMetrics metrics, DhcpEvents next) implements DhcpEvents {
    /**
     * The counters of what clients send and what this server answers exist from the start, at 0. Made
     * at each type's first packet, the creation path was never taken once the DHCP warm-up had
     * compiled the request path (its own counters were made by then): the server's first DISCOVER,
     * REQUEST, OFFER and ACK each hit an uncommon trap there and recompiled the request path in the
     * first second of real traffic.
     */
    DhcpEventsToMetrics {
        metrics.declareTypes(Stream.of(DISCOVER, REQUEST, DECLINE, RELEASE, INFORM).map(Enum::name).toList(),
                Stream.of(OFFER, ACK, NAK).map(Enum::name).toList());
    }
    @Override
    public void received(DhcpMessageType type, ReceiveContext ctx) {
        metrics.received(type == null ? "unknown" : type.name());
        next.received(type, ctx);
    }

    @Override
    public void sent(Reply reply) {
        DhcpMessageType type = reply.type();
        metrics.sent(type == null ? "unknown" : type.name());
        next.sent(reply);
    }

    @Override
    public void malformed(String reason, ReceiveContext ctx) {
        metrics.malformed();
        next.malformed(reason, ctx);
    }

    @Override
    public void dropped(DropReason reason, String detail) {
        metrics.dropped(reason.name());
        next.dropped(reason, detail);
    }

    @Override
    public void nak(String network, String reason) {
        metrics.nak();
        next.nak(network, reason);
    }

    @Override
    public void probeConflict(String network, Ipv4Address ip) {
        metrics.probe("in-use");
        metrics.conflict();
        next.probeConflict(network, ip);
    }

    @Override
    public void lateProbeConflict(String network, Ipv4Address ip) {
        metrics.probe("in-use-late");
        metrics.conflict();
        metrics.lateConflict();
        next.lateProbeConflict(network, ip);
    }

    @Override
    public void probeFailed(String network, Ipv4Address ip, Throwable error) {
        metrics.probe("error");
        next.probeFailed(network, ip, error);
    }

    @Override
    public void lease(LeaseEvent event, Lease lease) {
        metrics.lease(event.name());
        if (event == LeaseEvent.DECLINED) {
            metrics.conflict();
        }
        next.lease(event, lease);
    }
}
