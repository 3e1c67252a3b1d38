package dev.vmaddr.serve;

import dev.vmaddr.api.ApiServer;
import dev.vmaddr.api.LeaseRoutes;
import dev.vmaddr.api.MacRoutes;
import dev.vmaddr.api.NetworkRoutes;
import dev.vmaddr.api.RouteGroup;
import dev.vmaddr.api.TokenAuth;
import dev.vmaddr.api.VmRoutes;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.NetworkSpec;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.metrics.Metrics;
import dev.vmaddr.metrics.PoolMetrics;
import dev.vmaddr.nad.NadExporter;
import dev.vmaddr.store.Store;
import dev.vmaddr.vm.EngineVmIpam;
import dev.vmaddr.vm.GuestReports;
import dev.vmaddr.vm.PoolVmMacs;
import dev.vmaddr.vm.VmDrift;
import dev.vmaddr.vm.VmInventory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that wires the running server: store → MAC pool + allocation engine → networks
 * seeded from the config → HTTP API → background jobs → services (DHCP, checks). Plain constructor
 * wiring; every part gets what it needs passed in.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once (idempotent; called by the SIGTERM handler).
 * Shutdown order is the reverse of start: readiness off and new API requests refused, in-flight
 * requests finished, services stopped, jobs stopped, then the store closed (flushing what is pending).
 */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);
    static final Duration RECLAIM_EVERY = Duration.ofSeconds(5);

    private final VmaddrConfig config;
    private final Clock clock;
    private final RandomGenerator random;
    private final List<Service> services;
    private final Metrics metrics = new Metrics();
    private Store store;
    private AllocationEngine engine;
    private MacPool macPool;
    private VmInventory vms;
    private ApiServer api;
    private ScheduledExecutorService jobs;
    private volatile boolean ready;
    private boolean closed;

    public Server(VmaddrConfig config, Clock clock, RandomGenerator random, List<Service> services) {
        this.config = config;
        this.clock = clock;
        this.random = random;
        this.services = new ArrayList<>(services);
    }

    public synchronized Server start() throws Exception {
        store = StoreOpener.open(config, clock);
        log.info("event=store.opened kind={} dataDir={}", config.store().name().toLowerCase(), config.dataDir().toAbsolutePath());
        macPool = new MacPool(config.macPool(), store.macs(), clock, random);
        engine = new AllocationEngine(store, clock, random);
        for (NetworkSpec n : config.networks()) {
            engine.putNetwork(n); // the file seeds; API-made networks stay in the store
            log.info("event=network.seeded network={} cidr={} source={}", n.name(), n.cidr(), config.source());
        }
        metrics.beforeScrape(new PoolMetrics(engine, metrics.registry()));

        String token = TokenFile.readOrCreate(config.api().tokenFile());
        // One lock for every read-modify-write of a network spec: the API's edits and the VM NICs' reservations.
        Object networkEdits = new Object();
        vms = new VmInventory(new EngineVmIpam(engine, networkEdits), new PoolVmMacs(macPool), store.documents(),
                store.history(), clock);
        VmDrift drift = new VmDrift(vms, (subject, finding) -> metrics.registry()
                .counter("vmaddr_vm_drift_total", "kind", finding.kind().wireName()).increment());
        if (config.dhcp() != null) {
            services.addFirst(new DhcpService(config.dhcp(), engine, metrics.dhcp(), clock, DhcpService.SERVER_PORT, vms));
        }
        NadExporter nads = new NadExporter();
        List<RouteGroup> groups = new ArrayList<>(List.of(new NetworkRoutes(engine, networkEdits), new LeaseRoutes(engine),
                new MacRoutes(macPool, store.macs()),
                new VmRoutes(vms, drift, new GuestReports(clock), (network, cni) -> nads.export(network,
                        new NadExporter.Options("macvlan".equals(cni) ? NadExporter.CniType.MACVLAN : NadExporter.CniType.BRIDGE, null)))));
        api = new ApiServer(config.api().listen(), new TokenAuth(token), metrics, this::isReady, groups).start();

        jobs = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("vmaddr-jobs").daemon().factory());
        jobs.scheduleWithFixedDelay(this::reclaim, RECLAIM_EVERY.toMillis(), RECLAIM_EVERY.toMillis(), TimeUnit.MILLISECONDS);

        for (Service s : services) {
            s.start();
            log.info("event=service.started service={}", s.name());
        }
        ready = true;
        log.info("event=server.ready api=http://{}:{} tokenFile={}", config.api().listen().host(), api.port(), config.api().tokenFile());
        return this;
    }

    private boolean isReady() {
        if (!ready || !store.writable()) {
            return false;
        }
        for (Service s : services) {
            if (!s.ready()) {
                return false;
            }
        }
        return true;
    }

    private void reclaim() {
        try {
            int n = engine.reclaimExpired();
            if (n > 0) {
                log.info("event=lease.reclaimed count={}", n);
            }
            int m = macPool.reclaimQuarantined();
            if (m > 0) {
                log.info("event=mac.quarantine.ended count={}", m);
            }
        } catch (RuntimeException e) {
            log.warn("event=lease.reclaim.failed error=\"{}\"", e.getMessage());
        }
    }

    public int apiPort() {
        return api.port();
    }

    public String apiUrl() {
        String host = config.api().listen().host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + api.port();
    }

    /** The routes the API registered (and documents). */
    public List<dev.vmaddr.api.ApiRoute> apiRoutes() {
        return api.routes();
    }

    public VmInventory vms() {
        return vms;
    }

    public VmaddrConfig config() {
        return config;
    }

    public Metrics metrics() {
        return metrics;
    }

    public AllocationEngine engine() {
        return engine;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        log.info("event=server.stopping");
        if (api != null) {
            try {
                api.drain(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Service s : services.reversed()) {
            try {
                s.stop();
            } catch (RuntimeException e) {
                log.warn("event=service.stop.failed service={} error=\"{}\"", s.name(), e.getMessage());
            }
        }
        if (jobs != null) {
            jobs.shutdown();
            try {
                jobs.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (api != null) {
            api.stop();
        }
        if (store != null) {
            store.close();
        }
        log.info("event=server.stopped");
    }
}
