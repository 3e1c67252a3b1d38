package dev.vmaddr.connectivity;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the latest status of every known network: checks a network when it is created or changed,
 * whatever the source (config, API, NAD import: callers report it through {@link #networkChanged}),
 * and every {@code interval}. Listeners (metrics, UI) hear every new status.
 *
 * <p>Concurrency: at most one check per network runs at a time, whoever asks (the periodic round, a
 * change, {@code POST /check}): a caller that finds a check of the same definition running waits for
 * it and gets its result ({@link #checkOnce}), so two callers never put two probe namespaces (two DHCP
 * DISCOVERs, two ARP probes) on one network. A change that arrives while its
 * network is being checked sets a "dirty" mark and the check is repeated once with the newest
 * target, so the stored status never lags the config. Checks of different networks run in parallel
 * on virtual threads (they mostly wait on child processes and sockets). Maps are concurrent; a
 * status is an immutable record swapped in whole.
 */
public final class ConnectivityMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectivityMonitor.class);

    private final ConnectivityChecker checker;
    private final java.time.Duration interval;
    private final Map<String, ProbeTarget> targets = new ConcurrentHashMap<>();
    private final Map<String, NetworkStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final List<Consumer<NetworkStatus>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("connectivity-timer").unstarted(r));

    /** The check of one network that is running now, and the definition it checks. */
    private record InFlight(ProbeTarget target, CompletableFuture<NetworkStatus> result) {}

    /** Per-network run state: running and dirty are only touched under the slot's lock. */
    private static final class Slot {
        boolean running;
        boolean dirty;
    }

    public ConnectivityMonitor(ConnectivityChecker checker, java.time.Duration interval) {
        this.checker = checker;
        this.interval = interval;
    }

    /** Starts the periodic checks (the first round after one interval). */
    public void start() {
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::checkAllAsync, ms, ms, TimeUnit.MILLISECONDS);
    }

    public void addListener(Consumer<NetworkStatus> listener) {
        listeners.add(listener);
    }

    public Future<?> networkChanged(NetworkSpec network) {
        return networkChanged(ProbeTarget.of(network));
    }

    /**
     * A network was created or changed: remember it and check it now (asynchronously; never blocks
     * the caller). Until its first check ends, a new network's status is {@link NetworkStatus#pending}.
     * A changed network keeps its last status until the check of the new definition publishes.
     */
    public Future<?> networkChanged(ProbeTarget target) {
        targets.put(target.network(), target);
        statuses.putIfAbsent(target.network(), NetworkStatus.pending(target));
        return schedule(target.network());
    }

    /** The definition the monitor checks for {@code name}, if it knows the network. */
    public Optional<ProbeTarget> target(String name) {
        return Optional.ofNullable(targets.get(name));
    }

    /** Every network the monitor knows, by name. */
    public Map<String, ProbeTarget> targets() {
        return Map.copyOf(targets);
    }

    public void networkRemoved(String name) {
        targets.remove(name);
        statuses.remove(name);
    }

    public Optional<NetworkStatus> status(String name) {
        return Optional.ofNullable(statuses.get(name));
    }

    public Map<String, NetworkStatus> statuses() {
        return Map.copyOf(statuses);
    }

    /**
     * {@code POST /networks/{n}/check}: runs a check in the caller's thread and stores it; when one of the
     * same definition is already running, waits for that one and returns its result.
     */
    public Optional<NetworkStatus> checkNow(String name) {
        ProbeTarget t = targets.get(name);
        if (t == null) {
            return Optional.empty();
        }
        return Optional.of(checkOnce(t));
    }

    /**
     * Single flight per network: the first caller checks and publishes; a caller arriving meanwhile for the
     * same definition waits for that result. One for an older definition is waited out, then this one runs
     * (its result must describe the definition asked about).
     */
    private NetworkStatus checkOnce(ProbeTarget t) {
        while (true) {
            InFlight mine = new InFlight(t, new CompletableFuture<>());
            InFlight running = inFlight.putIfAbsent(t.network(), mine);
            if (running == null) {
                try {
                    NetworkStatus s = checker.check(t);
                    publish(t, s);
                    mine.result().complete(s);
                    return s;
                } catch (RuntimeException | Error e) {
                    mine.result().completeExceptionally(e); // waiters must never hang on a failed check
                    throw e;
                } finally {
                    inFlight.remove(t.network(), mine);
                }
            }
            NetworkStatus theirs;
            try {
                theirs = running.result().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the check of " + t.network(), e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
            if (running.target().equals(t)) {
                return theirs;
            }
        }
    }

    public List<Future<?>> checkAllAsync() {
        List<Future<?>> out = new ArrayList<>();
        for (String name : targets.keySet()) {
            out.add(schedule(name));
        }
        return out;
    }

    private Future<?> schedule(String name) {
        Slot slot = slots.computeIfAbsent(name, k -> new Slot());
        synchronized (slot) {
            if (slot.running) {
                slot.dirty = true;
                return CompletableFuture.completedFuture(null);
            }
            slot.running = true;
        }
        return workers.submit(() -> run(name, slot));
    }

    private void run(String name, Slot slot) {
        while (true) {
            ProbeTarget t = targets.get(name);
            if (t != null) {
                try {
                    checkOnce(t);
                } catch (RuntimeException e) {
                    log.error(LogEvents.NETWORK_CHECK_FAILED + " network={} error=\"{}\"", name, e.toString());
                }
            }
            synchronized (slot) {
                if (!slot.dirty) {
                    slot.running = false;
                    return;
                }
                slot.dirty = false;
            }
        }
    }

    private void publish(ProbeTarget t, NetworkStatus s) {
        if (!t.equals(targets.get(t.network()))) {
            return; // removed or changed meanwhile; the newer check publishes
        }
        statuses.put(s.network(), s);
        for (Consumer<NetworkStatus> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                log.warn(LogEvents.NETWORK_LISTENER_FAILED + " network={} error=\"{}\"", s.network(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
