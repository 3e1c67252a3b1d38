package dev.vmaddr.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Counters the DHCP server calls: packets in and out by message type, malformed packets, NAKs,
 * conflict probes by outcome, and conflicts found. Thread-safe (Micrometer counters are).
 */
public final class DhcpMetrics {
    private static final UnaryOperator<String> LOWER = v -> v.toLowerCase(Locale.ROOT);

    private final Counter malformed;
    private final Counter naks;
    private final Counter conflicts;
    private final Counter lateConflicts;
    private final Labelled received;
    private final Labelled sent;
    private final Labelled probes;
    private final Labelled dropped;
    private final Labelled leaseEvents;

    DhcpMetrics(MeterRegistry registry) {
        this.malformed = Counter.builder("vmaddr_dhcp_malformed").description("DHCP packets that could not be decoded").register(registry);
        this.naks = Counter.builder("vmaddr_dhcp_naks").description("DHCPNAKs sent").register(registry);
        this.conflicts = Counter.builder("vmaddr_dhcp_conflicts").description("addresses found in use by a probe or DECLINE").register(registry);
        this.lateConflicts = Counter.builder("vmaddr_dhcp_late_conflicts")
                .description("addresses whose probe answer came after the timeout, quarantined after the offer").register(registry);
        this.received = new Labelled(registry, "vmaddr_dhcp_received", "DHCP packets received by type", "type", LOWER);
        this.sent = new Labelled(registry, "vmaddr_dhcp_sent", "DHCP packets sent by type", "type", LOWER);
        this.probes = new Labelled(registry, "vmaddr_dhcp_probes", "conflict probes by outcome", "outcome", UnaryOperator.identity());
        // PRODUCT.md spells reasons in lower case with '-': UNKNOWN_CLIENT is unknown-client
        this.dropped = new Labelled(registry, "vmaddr_dhcp_dropped", "DHCP requests that got no reply, by reason", "reason",
                v -> v.toLowerCase(Locale.ROOT).replace('_', '-'));
        this.leaseEvents = new Labelled(registry, "vmaddr_dhcp_lease_events", "lease changes made by DHCP, by event", "event", LOWER);
    }

    /**
     * One counter per label value of a metric, keyed by the caller's value as given (an enum constant's
     * name, so no string is built per packet; builder().register() on every packet would cost a lookup
     * and garbage), made at the value's first use or by {@link DhcpMetrics#declareTypes}.
     */
    private static final class Labelled {
        private final ConcurrentHashMap<String, Counter> byValue = new ConcurrentHashMap<>();
        private final MeterRegistry registry;
        private final String name;
        private final String description;
        private final String tag;
        private final UnaryOperator<String> label;

        Labelled(MeterRegistry registry, String name, String description, String tag, UnaryOperator<String> label) {
            this.registry = registry;
            this.name = name;
            this.description = description;
            this.tag = tag;
            this.label = label;
        }

        Counter of(String value) {
            // get first: computeIfAbsent's capturing lambda was an object per packet
            Counter c = byValue.get(value);
            return c != null ? c : byValue.computeIfAbsent(value,
                    k -> Counter.builder(name).description(description).tag(tag, label.apply(k)).register(registry));
        }
    }

    /** @param type message type, e.g. {@code discover}, {@code request} */
    public void received(String type) {
        received.of(type).increment();
    }

    /** @param type message type, e.g. {@code offer}, {@code ack} */
    public void sent(String type) {
        sent.of(type).increment();
    }

    /**
     * Makes the counters of these message types now, at 0, instead of at each type's first packet:
     * a scrape shows every series before traffic, and the request path never takes the creation path
     * once the server runs (see DhcpEventsToMetrics).
     */
    public void declareTypes(List<String> receivedTypes, List<String> sentTypes) {
        receivedTypes.forEach(received::of);
        sentTypes.forEach(sent::of);
    }

    public void malformed() {
        malformed.increment();
    }

    public void nak() {
        naks.increment();
    }

    /** @param outcome {@code free}, {@code in-use} or {@code error} */
    public void probe(String outcome) {
        probes.of(outcome).increment();
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
        dropped.of(reason).increment();
    }

    /** @param event what happened to a lease, e.g. {@code BOUND}, {@code RELEASED} (label: lower case) */
    public void lease(String event) {
        leaseEvents.of(event).increment();
    }
}
