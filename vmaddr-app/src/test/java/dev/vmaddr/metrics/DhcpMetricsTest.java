package dev.vmaddr.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Label values as Prometheus shows them: lower case, one series per value, counts add up. */
class DhcpMetricsTest {
    @Test
    void countsByLabelInLowerCase() {
        Metrics metrics = new Metrics();
        DhcpMetrics dhcp = metrics.dhcp();
        dhcp.received("DISCOVER");
        dhcp.received("DISCOVER");
        dhcp.received("REQUEST");
        dhcp.sent("OFFER");
        dhcp.dropped("UNKNOWN_NETWORK");
        dhcp.lease("BOUND");
        dhcp.lease("BOUND");
        dhcp.probe("in-use");
        String text = metrics.scrape();
        assertThat(text)
                .contains("vmaddr_dhcp_received_total{type=\"discover\"} 2.0")
                .contains("vmaddr_dhcp_received_total{type=\"request\"} 1.0")
                .contains("vmaddr_dhcp_sent_total{type=\"offer\"} 1.0")
                .contains("vmaddr_dhcp_dropped_total{reason=\"unknown-network\"} 1.0")
                .contains("vmaddr_dhcp_lease_events_total{event=\"bound\"} 2.0")
                .contains("vmaddr_dhcp_probes_total{outcome=\"in-use\"} 1.0");
    }

    @Test
    void declaredTypesAreSeriesAtZeroBeforeTheirFirstPacketAndCountOnFromThere() {
        Metrics metrics = new Metrics();
        DhcpMetrics dhcp = metrics.dhcp();
        dhcp.declareTypes(List.of("DISCOVER", "REQUEST"), List.of("OFFER"));
        assertThat(metrics.scrape())
                .contains("vmaddr_dhcp_received_total{type=\"discover\"} 0.0")
                .contains("vmaddr_dhcp_received_total{type=\"request\"} 0.0")
                .contains("vmaddr_dhcp_sent_total{type=\"offer\"} 0.0")
                .doesNotContain("type=\"ack\"");
        dhcp.received("DISCOVER");
        dhcp.sent("OFFER");
        dhcp.sent("ACK");
        assertThat(metrics.scrape())
                .contains("vmaddr_dhcp_received_total{type=\"discover\"} 1.0")
                .contains("vmaddr_dhcp_sent_total{type=\"offer\"} 1.0")
                .contains("vmaddr_dhcp_sent_total{type=\"ack\"} 1.0");
    }
}
