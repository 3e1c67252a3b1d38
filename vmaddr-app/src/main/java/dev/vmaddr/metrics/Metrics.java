package dev.vmaddr.metrics;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The process's meter registry (Prometheus text at {@code /metrics}). Every name starts with
 * {@code vmaddr_}. Parts that compute their values on demand (pool gauges) register a refresher
 * that runs before each scrape.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
    private final DhcpMetrics dhcp = new DhcpMetrics(registry);
    private final StoreMetrics store = new StoreMetrics(registry);

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public DhcpMetrics dhcp() {
        return dhcp;
    }

    public StoreMetrics store() {
        return store;
    }

    public void beforeScrape(Runnable refresher) {
        beforeScrape.add(refresher);
    }

    public String scrape() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Runnable r : beforeScrape) {
            try {
                r.run();
            } catch (RuntimeException e) {
                failures.add(e); // a failing refresher (store gone) must not hide the other metrics
            }
        }
        return registry.scrape();
    }

    /** Records one API request; {@code route} is the route template, never the raw path (bounded cardinality). */
    public void apiRequest(String method, String route, int status, Duration took) {
        Timer.builder("vmaddr_api_request")
                .description("API request latency by route")
                .tag("method", method).tag("route", route).tag("status", String.valueOf(status))
                .publishPercentileHistogram()
                .register(registry)
                .record(took);
    }
}
