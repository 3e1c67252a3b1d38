package dev.vmaddr.connectivity;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exposes {@code vmaddr_network_route_active{network="..."}}: 1 Active, 0 Inactive, NaN Unknown (nothing
 * was checked), one gauge per network, registered the first time the network gets a status. Unknown is
 * NaN, not 0, so {@code count(vmaddr_network_route_active == 0)} (the not-Active alert) leaves out the
 * networks this host cannot see. Reads the monitor's live status.
 */
public final class ConnectivityMetrics {
    public static final String GAUGE = "vmaddr.network.route.active";

    private ConnectivityMetrics() {}

    public static void bind(MeterRegistry registry, ConnectivityMonitor monitor) {
        Set<String> registered = ConcurrentHashMap.newKeySet();
        monitor.addListener(s -> {
            if (registered.add(s.network())) {
                String name = s.network();
                Gauge.builder(GAUGE, monitor, m -> m.status(name).map(ConnectivityMetrics::value).orElse(Double.NaN))
                        .tag("network", name)
                        .description("1 when the network reaches its gateway (ARP and ICMP from the network), 0 when not, "
                                + "NaN when nothing could be checked (Unknown)")
                        .register(registry);
            }
        });
    }

    static double value(NetworkStatus s) {
        return switch (s.status()) {
            case Active -> 1.0;
            case Inactive -> 0.0;
            case Unknown -> Double.NaN;
        };
    }
}
