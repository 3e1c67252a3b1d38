package dev.vmaddr.dhcp6.server;

import dev.vmaddr.dhcp6.protocol.Dhcp6Events;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease6;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** DHCPv6 events to the log, and counted for the metrics (serve binds the counters). Thread-safe. */
public final class Dhcp6EventLog implements Dhcp6Events {
    private static final Logger LOG = LoggerFactory.getLogger(Dhcp6EventLog.class);
    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    @Override
    public void received(int type) {
        received.increment();
    }

    @Override
    public void sent(int type) {
        sent.increment();
    }

    @Override
    public void malformed(String reason) {
        malformed.increment();
        LOG.debug(LogEvents.DHCP_SIX_MALFORMED + " reason=\"{}\"", reason);
    }

    @Override
    public void dropped(String reason) {
        dropped.increment();
        LOG.debug(LogEvents.DHCP_SIX_DROPPED + " reason={}", reason);
    }

    @Override
    public void bound(Lease6 l) {
        if (!LOG.isDebugEnabled()) {
            return; // every binding passes here: no varargs array and boxed IAID for a line not written
        }
        LOG.debug(LogEvents.DHCP_SIX_LEASE_BOUND + " network={} ip={} duid={} iaid={} mac={}", l.network(), l.ip(), l.duid(),
                l.iaid(), l.mac());
    }

    @Override
    public void released(Lease6 l) {
        LOG.info(LogEvents.DHCP_SIX_LEASE_RELEASED + " network={} ip={} duid={}", l.network(), l.ip(), l.duid());
    }

    @Override
    public void declined(Lease6 l) {
        LOG.warn(LogEvents.DHCP_SIX_LEASE_DECLINED + " network={} ip={} duid={}", l.network(), l.ip(), l.duid());
    }

    public long receivedCount() {
        return received.sum();
    }

    public long sentCount() {
        return sent.sum();
    }

    /** Datagrams that were not DHCPv6, or broken ones, on port 547. */
    public long malformedCount() {
        return malformed.sum();
    }

    public long droppedCount() {
        return dropped.sum();
    }
}
