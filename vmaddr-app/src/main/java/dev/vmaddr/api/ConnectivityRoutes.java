package dev.vmaddr.api;

import dev.vmaddr.connectivity.ConnectivityMonitor;
import dev.vmaddr.connectivity.NetworkStatus;
import dev.vmaddr.connectivity.ProbeTarget;
import dev.vmaddr.ipam.AllocationEngine;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connectivity status per network (seed 003). Reads the monitor's latest status, which background
 * checks keep current, so GET never waits on a probe; POST .../check runs one in the request's own
 * (virtual) thread and answers when it is done. A network that a NAD named without a CIDR has a
 * status here though it is not (yet) one of the engine's networks.
 */
public final class ConnectivityRoutes implements RouteGroup {
    private final AllocationEngine engine;
    private final ConnectivityMonitor monitor;

    public ConnectivityRoutes(AllocationEngine engine, ConnectivityMonitor monitor) {
        this.engine = engine;
        this.monitor = monitor;
    }

    @Override
    public void register(RouteTable t) {
        t.get("/api/v1/networks/{network}/status",
                "Connectivity status: Active when the gateway answers ARP and ICMP from the network itself").errors(404)
                .handle(ctx -> {
                    String name = ctx.pathParam("network");
                    ensureKnown(name);
                    ctx.json(toMap(monitor.status(name).orElseThrow(() -> notFound(name))));
                });
        t.post("/api/v1/networks/{network}/check", "Run the connectivity check now and return the status")
                .success(200).errors(404)
                .handle(ctx -> {
                    String name = ctx.pathParam("network");
                    ensureKnown(name);
                    ctx.json(toMap(monitor.checkNow(name).orElseThrow(() -> notFound(name))));
                });
        t.get("/api/v1/connectivity", "Connectivity status of every known network, by name")
                .handle(ctx -> ctx.json(monitor.targets().keySet().stream().sorted(Comparator.naturalOrder())
                        .flatMap(n -> monitor.status(n).stream()).map(ConnectivityRoutes::toMap).toList()));
    }

    /** A network the engine has but the monitor was never told about (e.g. made by another server) is adopted. */
    private void ensureKnown(String name) {
        if (monitor.target(name).isEmpty()) {
            engine.network(name).ifPresent(spec -> monitor.networkChanged(ProbeTarget.of(spec)));
        }
    }

    private static ApiProblem notFound(String name) {
        return ApiProblem.notFound("no network \"" + name + "\"");
    }

    /** The contract's shape; {@code detail} is additive. */
    public static Map<String, Object> toMap(NetworkStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", s.network());
        m.put("mode", s.mode().json());
        m.put("status", s.status().name());
        m.put("reason", s.reason());
        m.put("detail", s.detail());
        m.put("cidr", s.cidr() == null ? null : s.cidr().toString());
        m.put("gateway", s.gateway() == null ? null : s.gateway().toString());
        m.put("checkedAt", s.checkedAt() == null ? null : s.checkedAt().toString());
        return m;
    }
}
