package dev.vmaddr.metrics;

import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.PoolStats;
import dev.vmaddr.model.NetworkSpec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-network pool size, used and free, refreshed from the engine before each scrape (networks come
 * and go through the API; their gauges follow).
 */
public final class PoolMetrics implements Runnable {
    private final AllocationEngine engine;
    private final MeterRegistry registry;
    /** network → {size, used, free}; only touched by the scraping thread plus gauge reads. */
    private final Map<String, AtomicLongArray> values = new ConcurrentHashMap<>();
    private final Map<String, Set<Meter>> meters = new ConcurrentHashMap<>();

    public PoolMetrics(AllocationEngine engine, MeterRegistry registry) {
        this.engine = engine;
        this.registry = registry;
    }

    @Override
    public synchronized void run() {
        Set<String> seen = new HashSet<>();
        for (NetworkSpec n : engine.networks()) {
            seen.add(n.name());
            PoolStats s = engine.stats(n.name());
            AtomicLongArray v = values.computeIfAbsent(n.name(), this::register);
            v.set(0, s.size());
            v.set(1, s.used());
            v.set(2, s.free());
        }
        for (String gone : Set.copyOf(values.keySet())) {
            if (!seen.contains(gone)) {
                values.remove(gone);
                meters.remove(gone).forEach(registry::remove);
            }
        }
    }

    private AtomicLongArray register(String network) {
        AtomicLongArray v = new AtomicLongArray(3);
        Set<Meter> m = new HashSet<>();
        m.add(Gauge.builder("vmaddr_pool_size", v, a -> a.get(0)).description("addresses in the network's pools").tag("network", network).register(registry));
        m.add(Gauge.builder("vmaddr_pool_used", v, a -> a.get(1)).description("pool addresses taken").tag("network", network).register(registry));
        m.add(Gauge.builder("vmaddr_pool_free", v, a -> a.get(2)).description("pool addresses free").tag("network", network).register(registry));
        meters.put(network, m);
        return v;
    }
}
