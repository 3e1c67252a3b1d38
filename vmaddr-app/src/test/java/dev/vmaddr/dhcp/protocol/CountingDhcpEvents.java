package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.model.Lease;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts every event by name, e.g. "sent.OFFER", "dropped.OTHER_SERVER", "lease.BOUND". */
final class CountingDhcpEvents implements DhcpEvents {
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    long count(String key) {
        LongAdder a = counts.get(key);
        return a == null ? 0 : a.sum();
    }

    private void inc(String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    @Override
    public void received(DhcpMessageType type, ReceiveContext ctx) {
        inc("received." + type);
    }

    @Override
    public void sent(Reply reply) {
        inc("sent." + reply.type());
    }

    @Override
    public void malformed(String reason, ReceiveContext ctx) {
        inc("malformed");
    }

    @Override
    public void dropped(DropReason reason, String detail) {
        inc("dropped." + reason);
    }

    @Override
    public void nak(String network, String reason) {
        inc("nak");
    }

    @Override
    public void probeConflict(String network, Ipv4Address ip) {
        inc("probe.conflict");
    }

    @Override
    public void lateProbeConflict(String network, Ipv4Address ip) {
        inc("probe.conflict_late");
    }

    @Override
    public void probeFailed(String network, Ipv4Address ip, Throwable error) {
        inc("probe.failed");
    }

    @Override
    public void lease(LeaseEvent event, Lease lease) {
        inc("lease." + event);
    }
}
