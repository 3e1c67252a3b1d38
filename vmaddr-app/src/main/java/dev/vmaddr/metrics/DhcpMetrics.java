package dev.vmaddr.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * Counters the DHCP server calls: packets in and out by message type, malformed packets, NAKs,
 * conflict probes by outcome, and conflicts found. Thread-safe (Micrometer counters are).
 */
public final class DhcpMetrics {
    private final MeterRegistry registry;
    private final Counter malformed;
    private final Counter naks;
    private final Counter conflicts;

    DhcpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.malformed = Counter.builder("vmaddr_dhcp_malformed").description("DHCP packets that could not be decoded").register(registry);
        this.naks = Counter.builder("vmaddr_dhcp_naks").description("DHCPNAKs sent").register(registry);
        this.conflicts = Counter.builder("vmaddr_dhcp_conflicts").description("addresses found in use by a probe or DECLINE").register(registry);
    }

    /** @param type message type, e.g. {@code discover}, {@code request} */
    public void received(String type) {
        Counter.builder("vmaddr_dhcp_received").description("DHCP packets received by type")
                .tag("type", type.toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    /** @param type message type, e.g. {@code offer}, {@code ack} */
    public void sent(String type) {
        Counter.builder("vmaddr_dhcp_sent").description("DHCP packets sent by type")
                .tag("type", type.toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    public void malformed() {
        malformed.increment();
    }

    public void nak() {
        naks.increment();
    }

    /** @param outcome {@code free}, {@code in-use} or {@code error} */
    public void probe(String outcome) {
        Counter.builder("vmaddr_dhcp_probes").description("conflict probes by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    public void conflict() {
        conflicts.increment();
    }
}
