package dev.vmaddr.connectivity;

import dev.vmaddr.model.RouteSpec;
import dev.vmaddr.nad.NadImport;
import dev.vmaddr.nad.NadImporter;
import dev.vmaddr.testing.netns.BridgedHost;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectivityMonitorNetnsTest {

    @Test
    void nadImportedWithoutAnnotationIsCheckedAndExportedAsAMetric() throws Exception {
        try (BridgedHost lab = BridgedHost.create()) {
            String gw = lab.peer("198.18.2.1/24");
            lab.dnsmasq(gw, "198.18.2.100,198.18.2.110,255.255.255.0,2m", "198.18.2.1");
            NadImport nad = new NadImporter().importAll("""
                    apiVersion: k8s.cni.cncf.io/v1
                    kind: NetworkAttachmentDefinition
                    metadata: {name: fromManifest}
                    spec:
                      config: '{"cniVersion":"0.3.1","name":"fromManifest","type":"bridge","bridge":"br0","ipam":{}}'
                    """).getFirst();
            assertThat(nad.route()).isEqualTo(RouteSpec.AUTO);

            try (ConnectivityMonitor monitor = new ConnectivityMonitor(ConnectivityCheckerNetnsTest.checker(lab), Duration.ofHours(1))) {
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                ConnectivityMetrics.bind(registry, monitor);
                List<NetworkStatus> heard = new CopyOnWriteArrayList<>();
                monitor.addListener(heard::add);

                monitor.networkChanged(nad.target()).get();
                NetworkStatus s = monitor.status("fromManifest").orElseThrow();
                assertThat(s.status()).as(s.toString()).isEqualTo(NetworkStatus.Status.Active);
                assertThat(s.cidr()).hasToString("198.18.2.0/24");
                assertThat(s.gateway()).hasToString("198.18.2.1");
                assertThat(heard).containsExactly(s);
                assertThat(registry.scrape()).contains("vmaddr_network_route_active{network=\"fromManifest\"} 1.0");

                // The gateway goes away: the next check (POST /check) flips the status and the gauge.
                lab.sh(gw, "ip", "link", "set", "eth0", "down");
                NetworkStatus after = monitor.checkNow("fromManifest").orElseThrow();
                assertThat(after.active()).isFalse();
                assertThat(registry.scrape()).contains("vmaddr_network_route_active{network=\"fromManifest\"} 0.0");
                assertThat(monitor.checkNow("unknown")).isEmpty();
            }
        }
    }
}
