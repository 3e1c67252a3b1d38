package dev.vmaddr.connectivity;

import dev.vmaddr.model.RouteSpec;
import dev.vmaddr.nad.NadImport;
import dev.vmaddr.nad.NadImporter;
import dev.vmaddr.testing.netns.BridgedHost;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectivityMonitorNetnsTest {

    /**
     * Issue 15 item 2: the periodic check and a POST at once put two probes on one network. One check per
     * network at a time: the second caller waits for the first's result. Seen from the real dnsmasq (which
     * pings ~3 s before it offers, so the first check is still in its DHCP step when the second arrives):
     * DISCOVERs of one probe (one xid) only. Before the fix, dnsmasq pinged for each probe in turn, so the
     * second probe's OFFER came ~6 s after its DISCOVER, past the 5 s window: "no OFFER" while dnsmasq
     * logged the OFFER, as the issue describes.
     */
    @Test
    void aSecondCallerWaitsForTheRunningCheckInsteadOfProbingAgain() throws Exception {
        try (BridgedHost lab = BridgedHost.create()) {
            Path dnsmasq = lab.dnsmasqOnBridge("198.18.0.1/24", "198.18.0.100,198.18.0.150,255.255.255.0,2m");
            ProbeTarget target = new ProbeTarget("lan", "br0", null, RouteSpec.AUTO, null, null);
            try (ConnectivityMonitor monitor = new ConnectivityMonitor(
                    ConnectivityCheckerNetnsTest.realWindowChecker(lab), Duration.ofHours(1))) {
                Future<?> first = monitor.networkChanged(target);
                // Bounded wait (10 s) until the first check's DISCOVER reached dnsmasq (logged on receipt).
                for (int i = 0; i < 200 && discovers(dnsmasq).isEmpty(); i++) {
                    Thread.sleep(50);
                }
                assertThat(discovers(dnsmasq)).as("first DISCOVER seen by dnsmasq").isNotEmpty();
                NetworkStatus second = monitor.checkNow("lan").orElseThrow();
                first.get();
                assertThat(second.status()).as(second.toString()).isEqualTo(NetworkStatus.Status.Active);
                assertThat(second.cidr()).hasToString("198.18.0.0/24");
                assertThat(monitor.status("lan")).contains(second);
                assertThat(new HashSet<>(discovers(dnsmasq))).as(Files.readString(dnsmasq.resolve("log"))).hasSize(1);
            }
        }
    }

    /**
     * The xids of the probe DISCOVERs in dnsmasq's log, one per DISCOVER received: dnsmasq logs
     * {@code <xid> client provides name: vmaddr-probe} on receipt (the DHCPDISCOVER line only after its ping).
     */
    static List<String> discovers(Path dnsmasqDir) throws Exception {
        Path log = dnsmasqDir.resolve("log");
        if (!Files.exists(log)) {
            return List.of();
        }
        Matcher m = Pattern.compile("(\\d+) client provides name: vmaddr-probe").matcher(Files.readString(log));
        List<String> macs = new java.util.ArrayList<>();
        while (m.find()) {
            macs.add(m.group(1));
        }
        return macs;
    }

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
