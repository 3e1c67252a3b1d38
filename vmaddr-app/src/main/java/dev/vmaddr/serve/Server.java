package dev.vmaddr.serve;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.api.ApiListener;
import dev.vmaddr.api.ApiServer;
import dev.vmaddr.api.AuthFailureLimiter;
import dev.vmaddr.api.CniRoutes;
import dev.vmaddr.api.ConnectivityRoutes;
import dev.vmaddr.api.DoctorRoutes;
import dev.vmaddr.api.ExportRoutes;
import dev.vmaddr.api.HistoryRoutes;
import dev.vmaddr.api.ImportRoutes;
import dev.vmaddr.api.LeaseRoutes;
import dev.vmaddr.api.MacRoutes;
import dev.vmaddr.api.NadRoutes;
import dev.vmaddr.api.NetworkExports;
import dev.vmaddr.api.NetworkRoutes;
import dev.vmaddr.api.RouteGroup;
import dev.vmaddr.api.TlsReloader;
import dev.vmaddr.api.TokenAuth;
import dev.vmaddr.api.VmRoutes;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.connectivity.ConnectivityChecker;
import dev.vmaddr.connectivity.ConnectivityMetrics;
import dev.vmaddr.connectivity.ConnectivityMonitor;
import dev.vmaddr.connectivity.NetworkProbe;
import dev.vmaddr.connectivity.ProbeTarget;
import dev.vmaddr.connectivity.StaleProbeNamespaces;
import dev.vmaddr.connectivity.StoredTargets;
import dev.vmaddr.dhcp.server.DhcpServer;
import dev.vmaddr.dhcp.transport.FfmUdpTransport;
import dev.vmaddr.dhcp.transport.PacketTransport;
import dev.vmaddr.doctor.Doctor;
import dev.vmaddr.hostnet.HostMacs;
import dev.vmaddr.hostnet.ProcessCommandRunner;
import dev.vmaddr.importing.ImportService;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.metrics.Metrics;
import dev.vmaddr.metrics.PoolMetrics;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.HistoryRetention;
import dev.vmaddr.store.Store;
import dev.vmaddr.vm.EngineVmIpam;
import dev.vmaddr.vm.GuestReports;
import dev.vmaddr.vm.PoolVmMacs;
import dev.vmaddr.vm.VmDrift;
import dev.vmaddr.vm.VmInventory;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that wires the running server: store → MAC pool + allocation engine → networks
 * seeded from the config → connectivity monitor told about every network → HTTP API → background
 * jobs → services (DHCP, connectivity checks). Plain constructor
 * wiring; every part gets what it needs passed in.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once (idempotent; called by the SIGTERM handler).
 * Shutdown order is the reverse of start: readiness off and new API requests refused, in-flight
 * requests finished, services stopped, jobs stopped, then the store closed (flushing what is pending).
 */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);
    static final Duration RECLAIM_EVERY = Duration.ofSeconds(5);
    /** How often the host's interface and neighbour MACs are read into the MAC pool (kubemacpool#77). */
    static final Duration HOST_MACS_EVERY = Duration.ofSeconds(60);
    /** How often a shared store's networks are compared with the engine's (others' API changes). */
    static final Duration SYNC_NETWORKS_EVERY = Duration.ofSeconds(1);
    /** How often every network's connectivity is checked again (besides on every change). */
    static final Duration CHECK_EVERY = Duration.ofSeconds(60);
    /** How often the TLS certificate files are compared with what the listener serves. */
    static final Duration TLS_CHECK_EVERY = Duration.ofSeconds(5);
    /** System property: collect the heap once before the services start (see {@link #start}). */
    static final String GC_BEFORE_SERVING = "vmaddr.gcBeforeServing";
    /** System property: warm the DHCPv4 request path on synthetic traffic once DHCP answers ({@link DhcpWarmup}). */
    static final String DHCP_WARMUP = "vmaddr.dhcpWarmup";
    /** Probe namespaces on the host are named this plus 8 hex digits; each lives for one check. */

    private final VmaddrConfig config;
    private final Clock clock;
    private final RandomGenerator random;
    private final List<Service> services;
    private final Metrics metrics = new Metrics();
    private Store store;
    private boolean dhcpWarmup = Boolean.getBoolean(DHCP_WARMUP);
    private DhcpWarmup warmup;
    private AllocationEngine engine;
    private Ipv6Leases ipv6Leases;
    private NetworkCatalog catalog;
    private MacPool macPool;
    private ConnectivityMonitor monitor;
    private VmInventory vms;
    private ApiServer api;
    private ScheduledExecutorService jobs;
    private volatile boolean ready;
    private boolean closed;
    private DhcpService.TransportOpener dhcpTransports = FfmUdpTransport::open;
    private Ipv6Service.Sockets ipv6Sockets = Ipv6Service.Sockets.HOST;

    public Server(VmaddrConfig config, Clock clock, RandomGenerator random, List<Service> services) {
        this.config = config;
        this.clock = clock;
        this.random = random;
        this.services = new ArrayList<>(services);
    }

    /**
     * Where the allocation engine starts its searches needs spread, not secrecy: a SecureRandom
     * (the process's generator, for tokens and MACs) costs a lock, a SHA1 mix and a byte[] per
     * allocation, and its buffer refresh every 100 ms was a deoptimization on the allocation path.
     * Then the engine draws from the calling thread's ThreadLocalRandom (lock-free, allocation-free;
     * the engine runs on the receiver and API threads). A seeded generator injected by a test is
     * kept, for its determinism.
     */
    private static RandomGenerator addressChoice(RandomGenerator random) {
        return random instanceof SecureRandom ? ADDRESS_SPREAD : random;
    }

    /** The engine's start points in production: the calling thread's ThreadLocalRandom (see {@link #addressChoice}). */
    static final RandomGenerator ADDRESS_SPREAD = () -> ThreadLocalRandom.current().nextLong();

    /**
     * Serve DHCP over {@code transport} instead of the UDP socket: the in-memory double of the
     * serve-loop benchmark (bench/DhcpServeLoopBenchmark). Before {@link #start}.
     */
    public Server dhcpTransport(PacketTransport transport) {
        return dhcpTransports(port -> transport);
    }

    /** Serve DHCP over {@code opener}'s transport instead of the UDP socket: the AOT training's in-memory double. Before {@link #start}. */
    Server dhcpTransports(DhcpService.TransportOpener opener) {
        this.dhcpTransports = opener;
        return this;
    }

    /** The DHCP warm-up of this start, if one runs. */
    Optional<DhcpWarmup> warmup() {
        return Optional.ofNullable(warmup);
    }

    /** Whether to run {@link DhcpWarmup} once DHCP answers (default: system property {@value #DHCP_WARMUP}). Before {@link #start}. */
    public Server dhcpWarmup(boolean on) {
        this.dhcpWarmup = on;
        return this;
    }

    /** Serve RAs and DHCPv6 over {@code sockets} instead of the host's: the AOT training's in-memory doubles. Before {@link #start}. */
    Server ipv6Sockets(Ipv6Service.Sockets sockets) {
        this.ipv6Sockets = sockets;
        return this;
    }

    public synchronized Server start() throws Exception {
        StartupPhases phases = new StartupPhases();
        store = StoreOpener.open(config, clock);
        phases.done("store");
        store.reportCommitsTo(metrics.store()::commit);
        log.info(LogEvents.STORE_OPENED + " kind={} dataDir={}", config.store().name().toLowerCase(), config.dataDir().toAbsolutePath());
        macPool = new MacPool(config.macPool(), store.macs(), clock, random);
        engine = new AllocationEngine(store, clock, addressChoice(random));
        ipv6Leases = new Ipv6Leases(store.leases6(), clock, random);
        ipv6Leases.load();
        // Every change of a network's definition, from any caller, goes through the catalog.
        catalog = new NetworkCatalog(engine, clock);
        for (NetworkSpec n : config.networks()) {
            catalog.put(n); // the file seeds; API-made networks stay in the store
            log.info(LogEvents.NETWORK_SEEDED + " network={} cidr={} source={}", n.name(), n.cidr(), config.source());
        }
        metrics.beforeScrape(new PoolMetrics(engine, metrics.registry()));
        phases.done("engine");

        // Connectivity: checks run on the monitor's threads, never on start-up's or a request's.
        // The probe's randomness (namespace names, probe MACs) is its own thread-safe source: checks run in parallel.
        ProcessCommandRunner hostCommands = new ProcessCommandRunner();
        StaleProbeNamespaces.cleanUp(hostCommands, StaleProbeNamespaces.BASE); // left by a server killed mid-check
        scanHostMacs(hostCommands); // before the API serves: no MAC a host interface or neighbour carries is handed out
        NetworkProbe probe = new NetworkProbe(hostCommands, new SecureRandom(), StaleProbeNamespaces.prefixFor(StaleProbeNamespaces.BASE));
        // A network this server serves is never DHCP-probed (the probe would ask us and leave an offered lease).
        Predicate<NetworkSpec> servedByVmaddr = n -> config.dhcp() != null && config.dhcp().serves(n);
        Predicate<ProbeTarget> targetServedByVmaddr = t -> config.dhcp() != null
                && (t.iface() != null && config.dhcp().interfaces().contains(t.iface())
                    || engine.network(t.network()).map(servedByVmaddr::test).orElse(false));
        monitor = new ConnectivityMonitor(new ConnectivityChecker(probe, clock, ConnectivityChecker.Options.DEFAULT,
                targetServedByVmaddr), CHECK_EVERY);
        ConnectivityMetrics.bind(metrics.registry(), monitor);
        StoredTargets nadTargets = new StoredTargets(store.documents());
        ConnectivityService connectivity = new ConnectivityService(monitor, engine, nadTargets);
        connectivity.seed(); // every network has a (pending) status before the first request
        catalog.addListener(new NetworkCatalog.Listener() {
            @Override
            public void networkChanged(NetworkSpec spec) {
                // A check looks only at the route facts (interface, VLAN, route, CIDR, gateway): a pool or
                // reservation edit (every VM NIC makes one) must not start a probe.
                ProbeTarget target = ProbeTarget.of(spec);
                if (!monitor.target(spec.name()).map(target::equals).orElse(false)) {
                    connectivity.networkChanged(target);
                }
            }

            @Override
            public void networkRemoved(String name) {
                connectivity.networkRemoved(name);
            }
        });
        services.add(connectivity);

        List<TokenAuth.Secret> secrets = new ArrayList<>();
        for (VmaddrConfig.ApiToken t : config.api().tokens()) {
            secrets.add(TokenAuth.Secret.of(t, TokenFile.readOrCreate(t.file())));
        }
        vms = new VmInventory(new EngineVmIpam(engine, catalog, ipv6Leases, clock), new PoolVmMacs(macPool), store.documents(),
                store.history(), clock);
        VmDrift drift = new VmDrift(vms, (subject, finding) -> metrics.registry()
                .counter("vmaddr_vm_drift_total", "kind", finding.kind().wireName()).increment());
        if (config.dhcp() != null) {
            services.addFirst(new DhcpService(config.dhcp(), engine, store.defersDurability(), metrics.dhcp(), clock,
                    DhcpService.SERVER_PORT, vms, dhcpTransports, DhcpServer.INTERFACE_TTL));
            services.add(1, new Ipv6Service(config.dhcp().interfaces(), engine, ipv6Leases, store.documents(),
                    store.defersDurability(), metrics.registry(), clock, ipv6Sockets));
            if (dhcpWarmup) {
                // after DHCP: it starts once DHCP answers, and stops before it
                warmup = new DhcpWarmup(DhcpWarmup.CLIENTS, clock);
                services.add(warmup);
            }
        }
        GuestReports guestReports = new GuestReports(clock);
        LibvirtWiring libvirt = new LibvirtWiring(config.libvirt(), hostCommands, vms, drift, engine, store.documents(),
                guestReports, metrics.registry(), clock);
        libvirt.service().ifPresent(services::add);
        NetworkExports.Writer nadWriter = NadRoutes.nadWriter();
        NetworkExports exports = new NetworkExports()
                .add("nad", "application/yaml", nadWriter)
                .add("libvirt", "application/xml", ExportRoutes.libvirtWriter(servedByVmaddr));
        List<RouteGroup> groups = new ArrayList<>(List.of(new NetworkRoutes(catalog, engine), new LeaseRoutes(engine, ipv6Leases), new MacRoutes(macPool, store.macs()),
                new ConnectivityRoutes(engine, monitor), new NadRoutes(catalog, connectivity, nadTargets),
                new ImportRoutes(new ImportService(catalog, engine)),
                new ExportRoutes(engine, exports), new DoctorRoutes(engine, new Doctor(hostCommands, new SecureRandom(),
                        StaleProbeNamespaces.prefixFor(StaleProbeNamespaces.BASE))),
                new CniRoutes(engine, store.documents(), clock), new HistoryRoutes(store.history(), engine, clock),
                libvirt.routes(),
                new VmRoutes(vms, drift, guestReports, (network, cni) -> nadWriter.write(network,
                        cni == null ? java.util.Map.of() : java.util.Map.of("cni", cni)))));
        VmaddrConfig.Api ac = config.api();
        api = new ApiServer(new ApiListener(ac.listen(), ac.tls(), ac.socketGroup()), new TokenAuth(secrets),
                new AuthFailureLimiter(AuthFailureLimiter.Limits.DEFAULT, clock), metrics, this::isReady, groups).start();

        jobs = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("vmaddr-jobs").daemon().factory());
        jobs.scheduleWithFixedDelay(this::reclaim, RECLAIM_EVERY.toMillis(), RECLAIM_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        HistoryRetention retention = new HistoryRetention(store.history(), config.history().keep(), clock);
        jobs.scheduleWithFixedDelay(() -> pruneHistory(retention), 0, HistoryRetention.EVERY.toMillis(), TimeUnit.MILLISECONDS);
        if (config.store() == VmaddrConfig.StoreKind.POSTGRESQL) {
            // Other servers on the database add, change and delete networks through their APIs.
            jobs.scheduleWithFixedDelay(() -> syncNetworks(connectivity), SYNC_NETWORKS_EVERY.toMillis(),
                    SYNC_NETWORKS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
        jobs.scheduleWithFixedDelay(() -> scanHostMacs(hostCommands), HOST_MACS_EVERY.toMillis(), HOST_MACS_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        jobs.scheduleWithFixedDelay(connectivity::sync, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        if (api.tlsReloader() != null) {
            TlsReloader tls = api.tlsReloader();
            jobs.scheduleWithFixedDelay(tls::reloadIfChanged, TLS_CHECK_EVERY.toMillis(), TLS_CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }

        phases.done("api");
        if (Boolean.getBoolean(GC_BEFORE_SERVING)) {
            // Start-up and recovery leave long-lived objects (the indexes, the API's) in the young
            // generation; the first young collection under traffic would copy them all, a pause of
            // tens of ms exactly when every VM renews at once after a restart. Moved to the old
            // generation here, before DHCP answers, they are out of the way (YoungCollections: two
            // young collections, not a full one). ./vmaddr serve sets it (serve.options); tests do not.
            YoungCollections.run(2);
            phases.done("gc");
        }
        for (Service s : services) {
            s.start();
            log.info(LogEvents.SERVICE_STARTED + " service={}", s.name());
        }
        phases.done("services");
        ready = true;
        log.info(LogEvents.SERVER_READY + " api={} tokens={}", apiUrl(),
                String.join(",", config.api().tokens().stream()
                        .map(t -> t.name() + ":" + t.scope().name().toLowerCase(java.util.Locale.ROOT) + ":" + t.file()).toList()));
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

    private void syncNetworks(ConnectivityService connectivity) {
        try {
            if (engine.syncNetworks() > 0) {
                connectivity.sync();
            }
        } catch (RuntimeException e) {
            // the store logs an outage once (event=store.db.unreachable); retried on the next round
            log.debug(LogEvents.NETWORK_SYNC_FAILED + " error=\"{}\"", e.getMessage());
        }
    }

    private static void pruneHistory(HistoryRetention retention) {
        try {
            long n = retention.pruneNow();
            if (n > 0) {
                log.info(LogEvents.HISTORY_PRUNED + " count={}", n);
            }
        } catch (RuntimeException e) {
            log.warn(LogEvents.HISTORY_PRUNE_FAILED + " error=\"{}\"", e.getMessage());
        }
    }

    private void scanHostMacs(ProcessCommandRunner run) {
        try {
            Map<MacAddress, String> carried = HostMacs.read(run);
            int blocked = macPool.replaceHostMacs(carried);
            log.debug(LogEvents.MAC_HOST_SCANNED + " macs={} newly_blocked={}", carried.size(), blocked);
        } catch (IOException | RuntimeException e) {
            // no ip(8), or it failed: the pool keeps the last scan's MACs; tried again on the next round
            log.warn(LogEvents.MAC_HOST_SCAN_FAILED + " error=\"{}\"", e.getMessage());
        }
    }

    private void reclaim() {
        try {
            // expiry ends what the DHCP server granted: its events name actor dhcp (CNI leases do not run out)
            int n = HistoryActor.as(HistoryActor.DHCP, engine::reclaimExpired);
            if (n > 0) {
                log.info(LogEvents.LEASE_RECLAIMED + " count={}", n);
            }
            int m = macPool.reclaimQuarantined();
            if (m > 0) {
                log.info(LogEvents.MAC_QUARANTINE_ENDED + " count={}", m);
            }
            int six = ipv6Leases.reclaimExpired(); // DHCPv6 bindings past their valid lifetime, and other servers' writes
            if (six > 0) {
                log.info(LogEvents.LEASE_RECLAIMED + " count={} family=ipv6", six);
            }
        } catch (RuntimeException e) {
            log.warn(LogEvents.LEASE_RECLAIM_FAILED + " error=\"{}\"", e.getMessage());
        }
    }

    /** {@code http://HOST:PORT}, {@code https://HOST:PORT} or {@code unix:/path}: what {@code --api} takes. */
    public String apiUrl() {
        VmaddrConfig.Listen l = config.api().listen();
        if (l.isUnix()) {
            return "unix:" + l.socket();
        }
        String host = l.host();
        return (config.api().tls() != null ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + api.port();
    }

    /** Reads the TLS certificate and key again (SIGHUP); false without TLS or when the new pair does not load. */
    public boolean reloadTls() {
        return tlsReloader() != null && tlsReloader().reload();
    }

    /** What renews the API's certificate from its files; null without TLS. */
    public TlsReloader tlsReloader() {
        return api == null ? null : api.tlsReloader();
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

    /** The store this server opened; after {@link #start}. For the AOT training, which snapshots it. */
    Store store() {
        return store;
    }

    public AllocationEngine engine() {
        return engine;
    }

    /** The DHCPv6 bindings (tests bind through it as the DHCPv6 server would). */
    public Ipv6Leases ipv6Leases() {
        return ipv6Leases;
    }

    public ConnectivityMonitor connectivity() {
        return monitor;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        log.info(LogEvents.SERVER_STOPPING);
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
                log.warn(LogEvents.SERVICE_STOP_FAILED + " service={} error=\"{}\"", s.name(), e.getMessage());
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
        log.info(LogEvents.SERVER_STOPPED);
    }
}
