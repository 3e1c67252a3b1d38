package dev.vmaddr.serve;

import dev.vmaddr.api.NetworkListener;
import dev.vmaddr.connectivity.ConnectivityMonitor;
import dev.vmaddr.connectivity.ProbeTarget;
import dev.vmaddr.connectivity.StoredTargets;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.NetworkSpec;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connectivity checks as a server service: tells the monitor about every network at start (config
 * seed, store, stored NAD targets), hears API changes ({@link NetworkListener}), and starts the
 * periodic round. Every hand-over to the monitor returns at once; checks run on its own threads, so
 * neither start-up nor an API request waits on a probe. Always ready: a check is never a reason to
 * refuse traffic.
 *
 * <p>{@link #sync} runs with each round (a network deleted during a sync may be re-adopted for one
 * round and is dropped by the next): networks another server made (shared PostgreSQL store) or
 * removed reach this monitor too.
 */
final class ConnectivityService implements Service, NetworkListener {
    private static final Logger log = LoggerFactory.getLogger(ConnectivityService.class);

    private final ConnectivityMonitor monitor;
    private final AllocationEngine engine;
    private final StoredTargets stored;

    ConnectivityService(ConnectivityMonitor monitor, AllocationEngine engine, StoredTargets stored) {
        this.monitor = monitor;
        this.engine = engine;
        this.stored = stored;
    }

    @Override
    public String name() {
        return "connectivity";
    }

    /** Called before the API opens, so a status exists (pending) for every network from the first request. */
    void seed() {
        sync();
    }

    @Override
    public void start() {
        monitor.start();
    }

    /** Brings the monitor's targets in line with the engine's networks and the stored NAD targets. */
    void sync() {
        try {
            Set<String> known = new HashSet<>();
            for (NetworkSpec n : engine.networks()) {
                adopt(ProbeTarget.of(n), known);
            }
            for (ProbeTarget t : stored.all()) {
                if (!known.contains(t.network())) {
                    adopt(t, known);
                }
            }
            for (String name : monitor.targets().keySet()) {
                // Looked up again: one made by the API after the snapshot above is in the engine by now
                // (the engine is written before the listener hears of it), so it is not dropped.
                if (!known.contains(name) && engine.network(name).isEmpty() && !stored.contains(name)) {
                    monitor.networkRemoved(name);
                }
            }
        } catch (RuntimeException e) {
            log.warn("event=connectivity.sync_failed error=\"{}\"", e.toString());
        }
    }

    private void adopt(ProbeTarget t, Set<String> known) {
        known.add(t.network());
        if (!monitor.target(t.network()).map(t::equals).orElse(false)) {
            monitor.networkChanged(t);
        }
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public void stop() {
        monitor.close();
    }

    @Override
    public void networkChanged(ProbeTarget target) {
        monitor.networkChanged(target);
    }

    @Override
    public void networkRemoved(String name) {
        monitor.networkRemoved(name);
        stored.remove(name);
    }
}
