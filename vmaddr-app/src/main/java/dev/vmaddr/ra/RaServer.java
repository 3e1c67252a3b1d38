package dev.vmaddr.ra;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.dhcp.transport.Datagram6;
import dev.vmaddr.dhcp.transport.Packet6Transport;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends router advertisements on every served interface whose network has an {@code ipv6Prefix}:
 * unsolicited every 200-600 s (the first three 4 s apart, RFC 4861 6.2.4 allows up to 16 s), and
 * after a router solicitation, 0-500 ms later and at most one per 3 s per interface (6.2.6), always
 * to all-nodes: one multicast answers every host that asked in the meantime.
 *
 * <p>Threads: one receiver thread reads solicitations; one scheduler thread sends. The per-interface
 * state lives in a concurrent map of small mutable records touched only on the scheduler thread,
 * except {@code lastSent} read by the receiver to rate-limit (a stale read only costs one extra RA).
 */
public final class RaServer {
    private static final Logger LOG = LoggerFactory.getLogger(RaServer.class);
    static final Ipv6Address ALL_NODES = Ipv6Address.parse("ff02::1");
    static final Ipv6Address ALL_ROUTERS = Ipv6Address.parse("ff02::2");
    static final Duration INITIAL_INTERVAL = Duration.ofSeconds(4);
    static final int INITIAL_ADVERTISEMENTS = 3;
    static final Duration MIN_DELAY_BETWEEN_RAS = Duration.ofSeconds(3);
    static final Duration MAX_RA_DELAY = Duration.ofMillis(500);
    /** How often an interface that is absent, or not joined yet, is looked at again. */
    static final Duration RECHECK = Duration.ofSeconds(2);

    private final Packet6Transport socket;
    private final List<String> interfaces;
    private final ServedNetworks networks;
    private final Links links;
    private final Clock clock;
    private final RandomGenerator random;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("vmaddr-ra").daemon().factory());
    private final Map<String, Port> ports = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder solicitations = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private Thread receiver;
    private volatile boolean stopping;

    /** One interface: its index once joined to all-routers, how many RAs it had, when the last left. */
    private static final class Port {
        volatile int joinedIndex;
        int initialSent;
        volatile Instant lastSent = Instant.EPOCH;
        boolean solicitedPending;
        boolean failing;
    }

    public RaServer(Packet6Transport socket, List<String> interfaces, ServedNetworks networks, Links links, Clock clock,
                    RandomGenerator random) {
        this.socket = socket;
        this.interfaces = List.copyOf(interfaces);
        this.networks = networks;
        this.links = links;
        this.clock = clock;
        this.random = random;
        for (String name : this.interfaces) {
            ports.put(name, new Port());
        }
    }

    public void start() {
        receiver = Thread.ofPlatform().name("vmaddr-ra-receive").daemon().start(this::receiveLoop);
        for (String name : interfaces) {
            scheduler.execute(() -> tick(name));
        }
    }

    /** Ready once every configured interface that serves an IPv6 network listens for solicitations. */
    public boolean ready() {
        if (stopping) {
            return false;
        }
        for (Map.Entry<String, Port> e : ports.entrySet()) {
            if (e.getValue().joinedIndex > 0) {
                continue;
            }
            Optional<Links.Link> link = links.find(e.getKey());
            if (link.isEmpty() || networks.on(link.get()).isPresent()) {
                return false;
            }
        }
        return true;
    }

    public long sentCount() {
        return sent.sum();
    }

    public long solicitationCount() {
        return solicitations.sum();
    }

    public long malformedCount() {
        return malformed.sum();
    }

    /** Periodic work of one interface: join when it appears, advertise, plan the next one. */
    private void tick(String name) {
        if (stopping) {
            return;
        }
        Port port = ports.get(name);
        Duration next = RECHECK;
        try {
            Optional<Links.Link> link = links.find(name);
            if (link.isEmpty()) {
                port.joinedIndex = 0;
            } else {
                if (port.joinedIndex != link.get().index()) {
                    socket.join(link.get().index(), ALL_ROUTERS);
                    port.joinedIndex = link.get().index();
                    port.initialSent = 0;
                }
                if (advertise(link.get(), port)) {
                    next = ++port.initialSent < INITIAL_ADVERTISEMENTS ? INITIAL_INTERVAL
                            : Duration.ofSeconds(random.nextInt(RouterAdvertisement.MIN_INTERVAL_SECONDS,
                                    RouterAdvertisement.MAX_INTERVAL_SECONDS + 1));
                }
            }
            port.failing = false;
        } catch (IOException | RuntimeException e) {
            if (!port.failing) { // retried every RECHECK: say it once until it works again
                LOG.warn(LogEvents.RA_SEND_FAILED + " interface={} error=\"{}\"", name, e.getMessage());
            }
            port.failing = true;
        }
        schedule(() -> tick(name), next);
    }

    /** Sends one RA on {@code link} if it serves an IPv6 network; false when it serves none. */
    private boolean advertise(Links.Link link, Port port) throws IOException {
        return advertise(link, port, false);
    }

    /** {@code ceasing}: the final RA, router lifetime 0 (RFC 4861 6.2.5). */
    private boolean advertise(Links.Link link, Port port, boolean ceasing) throws IOException {
        Optional<NetworkSpec> network = networks.on(link);
        if (network.isEmpty()) {
            return false;
        }
        RouterAdvertisement ra = RouterAdvertisement.of(network.get(), link.mac());
        if (ceasing) {
            ra = ra.ceasing();
        }
        socket.send(link.index(), ALL_NODES, 0, RaCodec.encode(ra));
        port.lastSent = clock.instant();
        sent.increment();
        LOG.debug(LogEvents.RA_SENT + " interface={} network={} prefix={} managed={} autonomous={} routerLifetime={}",
                link.name(), network.get().name(), ra.prefix(), ra.managed(), ra.autonomous(), ra.routerLifetimeSeconds());
        return true;
    }

    private void receiveLoop() {
        while (!stopping) {
            Datagram6 d;
            try {
                d = socket.receive();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                LOG.warn(LogEvents.RA_RECEIVE_FAILED + " error=\"{}\"", e.getMessage());
                continue;
            }
            if (!RaCodec.isSolicitation(d.payload())) {
                malformed.increment();
                continue;
            }
            solicitations.increment();
            onSolicitation(d.ifIndex());
        }
    }

    private void onSolicitation(int ifIndex) {
        for (Map.Entry<String, Port> e : ports.entrySet()) {
            Port port = e.getValue();
            if (port.joinedIndex != ifIndex) {
                continue;
            }
            Duration sinceLast = Duration.between(port.lastSent, clock.instant());
            Duration wait = Duration.ofMillis(random.nextLong(MAX_RA_DELAY.toMillis() + 1));
            if (sinceLast.compareTo(MIN_DELAY_BETWEEN_RAS) < 0) {
                wait = wait.plus(MIN_DELAY_BETWEEN_RAS.minus(sinceLast));
            }
            Duration delay = wait;
            String name = e.getKey();
            scheduler.execute(() -> {
                if (!port.solicitedPending) {
                    port.solicitedPending = true;
                    schedule(() -> solicited(name, port), delay);
                }
            });
        }
    }

    private void solicited(String name, Port port) {
        port.solicitedPending = false;
        try {
            Optional<Links.Link> link = links.find(name);
            if (link.isPresent() && link.get().index() == port.joinedIndex) {
                advertise(link.get(), port);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn(LogEvents.RA_SEND_FAILED + " interface={} error=\"{}\"", name, e.getMessage());
        }
    }

    private void sendFinal() {
        for (Map.Entry<String, Port> e : ports.entrySet()) {
            Port port = e.getValue();
            if (port.joinedIndex <= 0) {
                continue; // never advertised there
            }
            try {
                Optional<Links.Link> link = links.find(e.getKey());
                if (link.isPresent() && link.get().index() == port.joinedIndex) {
                    advertise(link.get(), port, true);
                }
            } catch (IOException | RuntimeException ex) {
                LOG.warn(LogEvents.RA_SEND_FAILED + " interface={} error=\"{}\"", e.getKey(), ex.getMessage());
            }
        }
    }

    private void schedule(Runnable task, Duration delay) {
        if (!stopping) {
            try {
                scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
            }
        }
    }

    /**
     * Stops advertising. RFC 4861 6.2.5: an interface that stops being advertising sends a final RA
     * with router lifetime 0, so hosts drop their default route through this router now rather than
     * up to {@link RouterAdvertisement#ROUTER_LIFETIME} seconds later. One per joined interface, after
     * the scheduler has stopped (no periodic or solicited RA can follow it); hosts keep the prefix.
     */
    public void stop() {
        stopping = true;
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.warn(LogEvents.RA_SEND_FAILED + " error=\"scheduler still running: no final advertisement\"");
            } else {
                sendFinal();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.warn(LogEvents.RA_SEND_FAILED + " error=\"{}\"", e.getMessage());
        }
        if (receiver != null) {
            try {
                receiver.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
