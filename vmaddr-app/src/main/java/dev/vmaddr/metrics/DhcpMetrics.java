package dev.vmaddr.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters the DHCP server calls: packets in and out by message type, malformed packets, NAKs,
 * conflict probes by outcome, and conflicts found. Thread-safe (Micrometer counters are).
 */
public final class DhcpMetrics {
    private final MeterRegistry registry;
    private final Counter malformed;
    private final Counter naks;
    private final Counter conflicts;
    private final Counter lateConflicts;
    // One map per metric, keyed by the caller's label value as given (an enum constant's name, so no
    // string is built per packet); builder().register() on every packet would cost a lookup and garbage.
    private final ConcurrentHashMap<String, Counter> received = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> sent = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> probes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> dropped = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> leaseEvents = new ConcurrentHashMap<>();

    DhcpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.malformed = Counter.builder("vmaddr_dhcp_malformed").description("DHCP packets that could not be decoded").register(registry);
        this.naks = Counter.builder("vmaddr_dhcp_naks").description("DHCPNAKs sent").register(registry);
        this.conflicts = Counter.builder("vmaddr_dhcp_conflicts").description("addresses found in use by a probe or DECLINE").register(registry);
        this.lateConflicts = Counter.builder("vmaddr_dhcp_late_conflicts")
                .description("addresses whose probe answer came after the timeout, quarantined after the offer").register(registry);
    }

    /** @param type message type, e.g. {@code discover}, {@code request} */
    public void received(String type) {
        // get first: computeIfAbsent's capturing lambda was an object per packet
        Counter c = received.get(type);
        if (c == null) {
            c = receivedCounter(type);
        }
        c.increment();
    }

    /** @param type message type, e.g. {@code offer}, {@code ack} */
    public void sent(String type) {
        Counter c = sent.get(type); // see received
        if (c == null) {
            c = sentCounter(type);
        }
        c.increment();
    }

    /**
     * Makes the counters of these message types now, at 0, instead of at each type's first packet:
     * a scrape shows every series before traffic, and the request path never takes the creation path
     * once the server runs (see DhcpEventsToMetrics).
     */
    public void declareTypes(List<String> receivedTypes, List<String> sentTypes) {
        receivedTypes.forEach(this::receivedCounter);
        sentTypes.forEach(this::sentCounter);
    }

    private Counter receivedCounter(String type) {
        return received.computeIfAbsent(type, k -> Counter.builder("vmaddr_dhcp_received")
                .description("DHCP packets received by type")
                .tag("type", type.toLowerCase(Locale.ROOT)).register(registry));
    }

    private Counter sentCounter(String type) {
        return sent.computeIfAbsent(type, k -> Counter.builder("vmaddr_dhcp_sent")
                .description("DHCP packets sent by type")
                .tag("type", type.toLowerCase(Locale.ROOT)).register(registry));
    }

    public void malformed() {
        malformed.increment();
    }

    public void nak() {
        naks.increment();
    }

    /** @param outcome {@code free}, {@code in-use} or {@code error} */
    public void probe(String outcome) {
        probes.computeIfAbsent(outcome, k -> Counter.builder("vmaddr_dhcp_probes")
                .description("conflict probes by outcome")
                .tag("outcome", outcome).register(registry)).increment();
    }

    public void conflict() {
        conflicts.increment();
    }

    public void lateConflict() {
        lateConflicts.increment();
    }

    /**
     * @param reason why a request got no reply, e.g. {@code UNKNOWN_CLIENT} (label: lower case with '-',
     *               {@code unknown-client}, as PRODUCT.md spells it)
     */
    public void dropped(String reason) {
        Counter c = dropped.get(reason); // a plain get first: a flood is counted without building the lambda
        if (c == null) {
            c = dropped.computeIfAbsent(reason, k -> Counter.builder("vmaddr_dhcp_dropped")
                    .description("DHCP requests that got no reply, by reason")
                    .tag("reason", reason.toLowerCase(Locale.ROOT).replace('_', '-')).register(registry));
        }
        c.increment();
    }

    /** @param event what happened to a lease, e.g. {@code BOUND}, {@code RELEASED} (label: lower case) */
    public void lease(String event) {
        Counter c = leaseEvents.get(event); // see received
        if (c == null) {
            c = leaseEvents.computeIfAbsent(event, k -> Counter.builder("vmaddr_dhcp_lease_events")
                    .description("lease changes made by DHCP, by event")
                    .tag("event", event.toLowerCase(Locale.ROOT)).register(registry));
        }
        c.increment();
    }
}
