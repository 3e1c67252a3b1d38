package dev.vmaddr.serve;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.dhcp.server.DhcpServer;
import dev.vmaddr.dhcp.transport.FfmUdpTransport;
import dev.vmaddr.dhcp.transport.InMemoryTransport;
import dev.vmaddr.dhcp.transport.PacketTransport;
import dev.vmaddr.index.FreeBitmap;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.log.QuietThreads;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.metrics.Metrics;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.vm.EngineVmIpam;
import dev.vmaddr.vm.PoolVmMacs;
import dev.vmaddr.vm.VmInventory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synthetic DHCPv4 traffic through a private copy of the request path, right after the server
 * starts answering, so that the JIT has compiled that path before the host's VMs come at once.
 *
 * <h2>Why</h2>
 * The build's AOT cache starts the server with the training's classes and profiles, but the JIT
 * still compiles in this process, and it compiles the request path only once the path has run
 * often: measured with the shared harness (a fresh server, 2 s at 3,000 DORA/s, then 12,000/s),
 * the receive loop, the protocol's bind and the transport were still C1 code when 12,000/s began,
 * C2 spent 0.7–1.6 s of CPU in that first five-second window, the young collections that ran beside
 * the compiler thread took 15–30 ms instead of 6–9, and the replies queued behind them overflowed
 * the relay's receive buffer: 0.3–5 % of REQUESTs lost. The same server after 8 s at 3,000/s (or
 * after one run at 12,000/s) lost none in three runs, at 45–56 % of a core. This class gives every
 * start those seconds of traffic itself.
 *
 * <h2>What</h2>
 * The classes the server runs, with their own state: the embedded store in a temporary directory
 * (for a server on PostgreSQL too: both defer durability, so the receiver answers inline and the
 * reply leaves after the commit on either; PostgreSQL's own commit path would need a database), an
 * allocation engine with one network, the protocol and the DHCP receive loop over the in-memory
 * transport, driven by {@link TrainingClients} in waves (new clients, the same
 * clients returning, rebooting and rebinding) while a jobs thread reclaims expired leases beside the
 * receiver as the server's does ({@link #reclaimWhile}); then all of it twice more, fresh (see {@link #run}).
 * Nothing of the server's own store, networks, metrics or sockets is touched, and the directories
 * are deleted afterwards. The server answers real clients meanwhile; the warm-up costs 4.5–5.5 s of
 * the process's CPU (its server threads and the JIT compiling them), ~3 s wall, once, and logs
 * {@code event=dhcp.warmup.done} with those figures.
 *
 * <h2>Threads</h2>
 * One platform thread runs it and owns the private stack (its jobs thread only calls the private
 * engine, and is joined before the stack stops); {@link #stop} (the server stopping) sets
 * a flag the waves check and interrupts the thread (a client waiting for a reply gives up), which
 * then stops its server and store and deletes the directory; stop waits for that.
 */
final class DhcpWarmup implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(DhcpWarmup.class);
    /** Clients of the warm-up's first stack (the two fresh ones have a quarter each): 108,000 replies in all (see {@link #run}, {@link #drive}). */
    static final int CLIENTS = 8_000;
    /**
     * How long the private servers use an interface's name and address ({@link DhcpServer#INTERFACE_TTL}
     * is 10 s): reading them again is a branch the receive loop takes every 10 s, so never in a
     * warm-up of 3 s, and the real server's first re-read, 10 s into its traffic, trapped in the
     * compiled receive loop (JFR at 20,000 DORA/s), which C2 compiled again (80-120 ms) while the
     * clients came. Every 5 ms here: a few hundred reads per stack.
     */
    static final Duration INTERFACE_TTL = Duration.ofMillis(5);
    /** Positions of the scratch bitmap {@link #wrappingSearches} searches: the server's /15 pool's size, so as many levels. */
    static final int WRAP_BITMAP = 1 << 17;
    /** Its searches: enough for the profiling tier to record the wrap many times over (C2 compiles at ~5,000 calls). */
    static final int WRAP_SEARCHES = 12_000;
    /** The first address of each stack's pool; {@link #poolEnd} the last. */
    private static final Ipv4Address POOL_START = Ipv4Address.parse("198.18.0.10");

    private final int clients;
    private final Clock clock;
    private volatile boolean stopping;
    /** Whether the fresh stacks ran over loopback sockets ({@link LoopbackRelay}); set by the warm-up's thread. */
    private volatile boolean usedLoopback;
    private Thread thread;
    private final CompletableFuture<Long> finished = new CompletableFuture<>();

    DhcpWarmup(int clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "dhcp-warmup";
    }

    @Override
    public synchronized void start() {
        thread = Thread.ofPlatform().name("vmaddr-dhcp-warmup").daemon().start(this::runLogged);
    }

    /** Never holds readiness: the server answers while it runs. */
    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public void stop() {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        t.interrupt(); // a client waiting for a reply gives up at once; the thread then stops its private server
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runLogged() {
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        try {
            // The private stack's lease lines (INFO, one per binding) stay out of the operator's log.
            long replies = QuietThreads.call(this::run);
            finished.complete(replies);
            LOG.info(LogEvents.DHCP_WARMUP_DONE + " replies={} millis={} processCpuMillis={} loopback={}", replies,
                    (System.nanoTime() - t0) / 1_000_000, (processCpuNanos() - cpu0) / 1_000_000, usedLoopback);
        } catch (Exception e) {
            finished.completeExceptionally(e);
            if (!stopping) {
                LOG.warn(LogEvents.DHCP_WARMUP_FAILED + " error=\"{}\"", e.toString());
            }
        }
    }

    /** CPU of the whole process (the warm-up's server threads, the JIT compiling, and any real traffic meanwhile). */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /** Whether its fresh stacks ran over loopback sockets (false when they could not be opened). */
    boolean ranOverLoopback() {
        return usedLoopback;
    }

    /** The replies the warm-up's clients got, once it has ended (exceptionally when stopped or failed). */
    CompletableFuture<Long> finished() {
        return finished;
    }

    /**
     * Runs the warm-up on the calling thread; returns the replies the clients got.
     *
     * <p>Three private stacks, one after the other. The first compiles the request path. The others
     * are fresh like the server's own when its first real client comes: new threads (their
     * ThreadLocalRandom, scoped-value cache and thread-locals not yet made), a store without a lease
     * table for the network, reply-option caches and counters not yet made. Each of those is a branch
     * the first stack took only in its first requests, before the JIT profiled them, so the compiled
     * path had none of them, and the real server's first lease took them all: measured with JFR, ~20
     * deoptimizations at the first real request, and 1.4 s of C2 recompiling the allocation path
     * while the first clients came. The second stack takes those traps here, and its traffic lets C2
     * compile the path again with the branches in it. But a trap discards only the compiled method it
     * happened in: a callee compiled on its own beforehand (the protocol's handler, when the receive
     * loop's copy trapped) keeps the same pruned branch and is what runs next, so with two stacks the
     * real server's first packet still trapped at four of those sites (the table's null check, the
     * option cache's miss, the reply address's first use, the scoped value's lookup). The third stack
     * takes those. Both fresh stacks run over the socket transport on loopback where they can
     * ({@link LoopbackRelay}), so the reply path has seen the real server's transport class as well.
     * Measured at 20,000 DORA/s, the first window of fresh servers (nine alternating pairs): 730-5,380
     * requests lost with three stacks, 2,484-7,093 with two (seven pairs of nine better).
     */
    long run() throws Exception {
        int wrapped = wrappingSearches();
        LOG.debug("dhcp warm-up: {} of {} bitmap searches wrapped", wrapped, WRAP_SEARCHES);
        long replies = onPrivateStack(clients, "warmup-1", false);
        // Other network names too: the store keeps one shared copy per name (StoredEvent), so a name
        // a stack before used would be found where the real server's first lease finds none.
        for (int fresh = 2; fresh <= 3 && !stopping; fresh++) {
            replies += onPrivateStack(clients / 4, "warmup-" + fresh, true);
        }
        return replies;
    }

    /**
     * One private stack in a temporary directory, driven by {@link #drive}; returns the replies its
     * clients got. Over loopback sockets when {@code overLoopback} and they can be opened, else in memory.
     */
    private long onPrivateStack(int clients, String network, boolean overLoopback) throws Exception {
        Path work = Files.createTempDirectory("vmaddr-dhcp-warmup-");
        try {
            VmaddrConfig config = ConfigLoader.parse("dhcp warm-up", """
                    dhcp:
                      interfaces: [lo]
                      probe: { method: none }
                    networks:
                      - name: %s
                        cidr: 198.18.0.0/15%s
                        gateway: 198.18.0.1
                        leaseTime: 2h
                        dns: [198.18.0.53]
                        pools: ["%s-%s"]
                    """.formatted(network, overLoopback
                    // both relays: the in-memory one when the loopback cannot be opened
                    ? "\n    relays: [" + TrainingClients.RELAY + ", " + LoopbackRelay.ADDRESS + "]" : "",
                    POOL_START, poolEnd(clients)));
            try (Store store = EmbeddedStore.open(work, clock, EmbeddedStore.Options.defaults())) {
                // The server's own generator: one type at the allocator's call site (a lambda of this
                // class there made the first real allocation trap and recompile the allocation path).
                AllocationEngine engine = new AllocationEngine(store, clock, Server.ADDRESS_SPREAD);
                NetworkCatalog catalog = new NetworkCatalog(engine, clock);
                catalog.put(config.networks().getFirst());
                // The server's chain of DHCP events (metrics, the VM inventory's observer, the log):
                // without an inventory the observer was left out, the warm-up compiled the events'
                // call sites for the shorter chain, and the first real lease trapped in each of them
                // (and recompiled the request path). An inventory of the private store, with no VM.
                SecureRandom random = new SecureRandom();
                VmInventory vms = new VmInventory(new EngineVmIpam(engine, catalog, new Ipv6Leases(store.leases6(), clock, random),
                        clock), new PoolVmMacs(new MacPool(config.macPool(), store.macs(), clock, random)), store.documents(),
                        store.history(), clock);
                Ipv4Address loopback = Ipv4Address.parse("127.0.0.1");
                FfmUdpTransport socket = null;
                LoopbackRelay relay = null;
                if (overLoopback) {
                    try {
                        socket = FfmUdpTransport.open(0);
                        relay = LoopbackRelay.open(socket.localPort());
                    } catch (IOException e) {
                        LOG.debug("dhcp warm-up stays in memory: no loopback relay ({})", e.toString());
                        if (socket != null) {
                            socket.close();
                            socket = null;
                        }
                    }
                }
                if (relay != null) {
                    usedLoopback = true;
                }
                PacketTransport transport = socket != null ? socket : new InMemoryTransport();
                TrainingClients.Link link = relay != null ? relay : TrainingClients.inMemory((InMemoryTransport) transport,
                        loopbackIndex(), loopback);
                DhcpService service = new DhcpService(config.dhcp(), engine, store.defersDurability(), new Metrics().dhcp(),
                        clock, DhcpService.SERVER_PORT, vms, port -> transport, INTERFACE_TTL);
                TrainingClients c = new TrainingClients(link, relay != null ? LoopbackRelay.ADDRESS : TrainingClients.RELAY,
                        loopback, clients);
                try {
                    service.start();
                    AtomicBoolean driving = new AtomicBoolean(true);
                    Thread jobs = Thread.ofPlatform().name("vmaddr-dhcp-warmup-jobs").daemon()
                            .start(() -> reclaimWhile(driving, engine));
                    try {
                        drive(c, clients);
                    } finally {
                        driving.set(false); // the jobs thread sees it within a millisecond
                        try {
                            jobs.join();
                        } finally {
                            service.stop(); // also when stop() interrupts this thread inside the join
                        }
                    }
                } finally {
                    transport.close(); // the stopped server has closed it already; not when it failed to start
                    if (relay != null) {
                        relay.close();
                    }
                }
                return c.replies();
            }
        } finally {
            AotTraining.deleteTree(work);
        }
    }

    /**
     * The last address of the stack's pool: its clients fill it to 8/9. The allocator's search
     * through the free-address bitmap takes other branches in a pool that is filling up (the rest of
     * a word taken, so it climbs a level; nothing free after the start, so it ends and wraps to the
     * beginning) than in a nearly empty one. With the server's /15 pool the warm-up's clients filled
     * 6 %; a busy server's first seconds fill it far more (the harness: 80 % in its first window at
     * 20,000/s), and JFR showed three traps in FreeBitmap.nextFree in that window. FreeBitmap itself
     * no longer has two of those branches (see its class comment); the wrap is a branch any search
     * may take, and a standalone run of the bitmap trapped on it at 80 % after a profile at 6 %, not
     * after one at 8/9.
     */
    static Ipv4Address poolEnd(int clients) {
        return POOL_START.plus(clients + clients / 8 - 1);
    }

    /**
     * Searches of a scratch free-address bitmap of which the second half is taken, from starts spread
     * over all of it, so that about half run off its end and start again at 0; returns how many did.
     *
     * <p>Why: a search wraps only when nothing is free between its random start and the pool's end.
     * In the private stacks' pools, filled to 8/9 ({@link #poolEnd}), that happens a few times, some
     * warm-ups not while the profiling tier ran; C2 then compiled the end of the search as a trap,
     * and the real server's first wrap (its pool ~80 % full late in the harness's first window at
     * 20,000 DORA/s) deoptimized the allocation path the search is inlined into
     * ({@code AllocationEngine.offer}; JFR, one window in three). A profile belongs to the method, not
     * to the bitmap, so a scratch one teaches it (as the PostgreSQL store's LookupWarmup teaches its
     * cache's lookups). About 2 ms.
     */
    static int wrappingSearches() {
        FreeBitmap bitmap = new FreeBitmap(WRAP_BITMAP);
        for (long p = WRAP_BITMAP / 2; p < WRAP_BITMAP; p++) {
            bitmap.setTaken(p);
        }
        int wrapped = 0;
        for (int i = 0; i < WRAP_SEARCHES; i++) {
            long from = i * 4_099L % WRAP_BITMAP; // an odd stride: starts all over the bitmap
            wrapped += bitmap.nextFreeWrapping(from) < from ? 1 : 0;
        }
        return wrapped;
    }

    /**
     * New clients in waves of a loaded link (64), each sending its DISCOVER twice (a retransmission:
     * the second finds the offer the first made) before its REQUEST; the same clients returning in a
     * restart's burst (2,000: their DISCOVER finds the lease), rebooting and rebinding, and returning
     * once more.
     */
    private void drive(TrainingClients c, int clients) throws InterruptedException, IOException {
        waves(c, 0, clients, 64, TrainingClients.DISCOVER, TrainingClients.DISCOVER, TrainingClients.SELECTING);
        waves(c, 0, clients, 2_000, TrainingClients.DISCOVER, TrainingClients.SELECTING);
        waves(c, 0, clients, 256, TrainingClients.INIT_REBOOT, TrainingClients.REBINDING);
        waves(c, 0, clients, 64, TrainingClients.DISCOVER, TrainingClients.SELECTING);
    }

    /**
     * The server's jobs thread takes each network's lock beside the receiver (the expiry reclaim,
     * every 5 s: {@code Server.reclaim}); here it does so every millisecond while the clients run, so
     * the lock is contended in the profile the JIT compiles the request path with. Without it the
     * receiver's unlock had never found a waiter to wake, and the first reclaim during real traffic
     * trapped in LeaseWrites.writeBound, AllocationEngine.leave and NetworkIndex.leave
     * (AbstractQueuedSynchronizer.signalNext; JFR at 20,000 DORA/s), which C2 then compiled again
     * while the clients came.
     */
    private static void reclaimWhile(AtomicBoolean driving, AllocationEngine engine) {
        while (driving.get()) {
            HistoryActor.as(HistoryActor.DHCP, engine::reclaimExpired);
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void waves(TrainingClients c, int from, int to, int wave, int... kinds)
            throws InterruptedException, IOException {
        int size = c.waveSize(wave);
        for (int w = from; w < to && !stopping; w += size) {
            int end = Math.min(to, w + size);
            for (int kind : kinds) {
                c.wave(kind, w, end, false);
            }
        }
    }

    private static int loopbackIndex() throws SocketException {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        return lo == null ? 1 : lo.getIndex();
    }
}
