package dev.vmaddr.dhcp.server;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.protocol.DhcpEvents;
import dev.vmaddr.dhcp.protocol.DropReason;
import dev.vmaddr.dhcp.protocol.LeaseEvent;
import dev.vmaddr.dhcp.protocol.ReceiveContext;
import dev.vmaddr.dhcp.protocol.Reply;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DHCP events as log lines with stable names ({@code event=dhcp.nak network=.. reason=..}). NAKs and
 * conflicts log at INFO/WARN; per-packet traffic, drops and the DHCP view of lease changes at DEBUG,
 * so a busy server's log stays readable unless asked otherwise (logger {@code dev.vmaddr.dhcp.events}).
 */
public final class DhcpEventLog implements DhcpEvents {
    private static final Logger LOG = LoggerFactory.getLogger("dev.vmaddr.dhcp.events");

    @Override
    public void received(DhcpMessageType type, ReceiveContext ctx) {
        if (LOG.isDebugEnabled()) {
            LOG.debug(LogEvents.DHCP_RECEIVED + " type={} interface={} source={}", type, ctx.interfaceName(), ctx.source());
        }
    }

    @Override
    public void sent(Reply reply) {
        if (LOG.isDebugEnabled()) {
            LOG.debug(LogEvents.DHCP_SENT + " type={} to={}:{} yiaddr={}", reply.type(), reply.destination(), reply.port(),
                    reply.message().yiaddr());
        }
    }

    @Override
    public void malformed(String reason, ReceiveContext ctx) {
        if (LOG.isDebugEnabled()) {
            LOG.debug(LogEvents.DHCP_MALFORMED + " interface={} source={} reason=\"{}\"", ctx.interfaceName(), ctx.source(), reason);
        }
    }

    @Override
    public void dropped(DropReason reason, String detail) {
        if (reason == DropReason.STORE_UNAVAILABLE || reason == DropReason.EXHAUSTED || reason == DropReason.OVERLOADED) {
            LOG.warn(LogEvents.DHCP_DROPPED + " reason={} detail=\"{}\"", reason.name().toLowerCase(Locale.ROOT), detail);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug(LogEvents.DHCP_DROPPED + " reason={} detail=\"{}\"", reason.name().toLowerCase(Locale.ROOT), detail);
        }
    }

    @Override
    public void nak(String network, String reason) {
        LOG.info(LogEvents.DHCP_NAK + " network={} reason=\"{}\"", network, reason);
    }

    @Override
    public void probeConflict(String network, Ipv4Address ip) {
        LOG.warn(LogEvents.DHCP_PROBE_CONFLICT + " network={} ip={}", network, ip);
    }

    @Override
    public void lateProbeConflict(String network, Ipv4Address ip) {
        LOG.warn(LogEvents.DHCP_PROBE_CONFLICT_LATE + " network={} ip={}", network, ip);
    }

    @Override
    public void probeFailed(String network, Ipv4Address ip, Throwable error) {
        LOG.warn(LogEvents.DHCP_PROBE_FAILED + " network={} ip={} error=\"{}\"", network, ip, error.getMessage());
    }

    /**
     * Lease changes are logged once, at INFO, by the allocation engine whatever asked for them (DHCP,
     * API, VM inventory); here only at DEBUG with the DHCP view of what happened (offers, renewals).
     */
    @Override
    public void lease(LeaseEvent event, Lease lease) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} network={} ip={} mac={} clientId={} hostname={} expiresAt={}",
                    name(event), lease.network(), lease.ip(), lease.mac(), lease.clientId(),
                    lease.hostname(), lease.expiresAt());
        }
    }

    /** The catalogue's name of {@code event} (LeaseEvent sits above the catalogue, so the switch is here). */
    private static String name(LeaseEvent event) {
        return switch (event) {
            case OFFERED -> LogEvents.DHCP_LEASE_OFFERED;
            case BOUND -> LogEvents.DHCP_LEASE_BOUND;
            case RENEWED -> LogEvents.DHCP_LEASE_RENEWED;
            case RENEWED_FROM_CACHE -> LogEvents.DHCP_LEASE_RENEWED_FROM_CACHE;
            case OFFER_RETRACTED -> LogEvents.DHCP_LEASE_OFFER_RETRACTED;
            case RELEASED -> LogEvents.DHCP_LEASE_RELEASED;
            case DECLINED -> LogEvents.DHCP_LEASE_DECLINED;
            case CONFLICT -> LogEvents.DHCP_LEASE_CONFLICT;
        };
    }
}
