package dev.vmaddr.dhcp6.server;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.dhcp.server.ReplyPacer;
import dev.vmaddr.dhcp.transport.Datagram6;
import dev.vmaddr.dhcp.transport.Packet6Transport;
import dev.vmaddr.dhcp6.protocol.Dhcp6Protocol;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.ra.Links;
import dev.vmaddr.ra.ServedNetworks;
import dev.vmaddr.store.DeferredDurability;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCPv6 receive loop: datagrams from the UDP socket on [::]:547 to the protocol, answers back
 * to the client's link-local address on port 546 out of the arrival interface, or to the relay on
 * 547. Joins All_DHCP_Relay_Agents_and_Servers (ff02::1:2) on each served interface, again when an
 * interface comes back with another index.
 *
 * <h2>Threads</h2>
 * As for DHCPv4 ({@code DhcpServer}):
 * <ul>
 *   <li>{@link Dispatch#INLINE} (a store that {@linkplain dev.vmaddr.store.Store#defersDurability()
 *   defers durability}): the receiver thread handles each datagram itself inside a
 *   {@link DeferredDurability} scope; a REPLY that depends on a binding is handed to the store and
 *   sent from its commit thread right after the fsync that made the binding durable. No thread per
 *   packet and no park/unpark per binding: those cost more CPU than the DHCPv6 work itself.</li>
 *   <li>{@link Dispatch#THREAD_PER_REQUEST}: a virtual thread per datagram, which waits for its
 *   durable write (a store that cannot defer); at most {@code maxInFlight} at once, beyond that a
 *   datagram is dropped and counted rather than queued.</li>
 * </ul>
 * Nothing that depends on a binding leaves before the binding is durable, in both modes.
 */
public final class Dhcp6Server {
    /** Where a datagram is handled; see the class comment. */
    public enum Dispatch { INLINE, THREAD_PER_REQUEST }

    private static final Logger LOG = LoggerFactory.getLogger(Dhcp6Server.class);
    static final Ipv6Address ALL_SERVERS = Ipv6Address.parse("ff02::1:2");
    static final int CLIENT_PORT = 546;
    static final int SERVER_PORT = 547;

    private final Packet6Transport socket;
    private final Dhcp6Protocol protocol;
    private final List<String> interfaces;
    private final ServedNetworks networks;
    private final Links links;
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final Dispatch dispatch;
    /** Answers handed to the store, waiting for their binding to become durable. */
    private final AtomicInteger awaitingDurable = new AtomicInteger();
    private final java.time.Clock clock;
    private final Map<String, Integer> joined = new ConcurrentHashMap<>();
    private final Map<Integer, Links.Link> byIndex = new ConcurrentHashMap<>();
    private final Map<Integer, Long> fetchedAt = new ConcurrentHashMap<>();
    private final java.util.Set<String> warned = ConcurrentHashMap.newKeySet();
    private static final long LINK_TTL_MILLIS = 5_000;
    private final Thread.Builder handlers = Thread.ofVirtual().name("vmaddr-dhcp6-", 0);
    private Thread receiver;
    private volatile boolean stopping;
    private volatile Runnable onDrop = () -> { };
    /**
     * As DHCPv4's (see {@link ReplyPacer}): the REPLYs one fsync made durable leave together, and
     * unpaced they overflowed perfdhcp's receive buffer (its Udp6RcvbufErrors counted every lost one).
     */
    private final ReplyPacer pacer = new ReplyPacer(40_000, 32);

    /** A server that handles each datagram on its own virtual thread. */
    public Dhcp6Server(Packet6Transport socket, Dhcp6Protocol protocol, List<String> interfaces, ServedNetworks networks,
                       Links links, java.time.Clock clock, int maxInFlight) {
        this(socket, protocol, interfaces, networks, links, clock, Dispatch.THREAD_PER_REQUEST, maxInFlight);
    }

    public Dhcp6Server(Packet6Transport socket, Dhcp6Protocol protocol, List<String> interfaces, ServedNetworks networks,
                       Links links, java.time.Clock clock, Dispatch dispatch, int maxInFlight) {
        this.clock = clock;
        this.dispatch = dispatch;
        this.maxInFlight = maxInFlight;
        this.socket = socket;
        this.protocol = protocol;
        this.interfaces = List.copyOf(interfaces);
        this.networks = networks;
        this.links = links;
        this.inFlight = new Semaphore(maxInFlight);
    }

    /** Called for every request dropped because {@code maxInFlight} are being handled. */
    public void onOverload(Runnable r) {
        this.onDrop = r;
    }

    public void start() {
        joinAll();
        receiver = Thread.ofPlatform().name("vmaddr-dhcp6-receive").daemon().start(this::receiveLoop);
    }

    /** Joins the servers' group on every interface present; true when every interface is joined. */
    public boolean joinAll() {
        boolean all = true;
        for (String name : interfaces) {
            Optional<Links.Link> link = links.find(name);
            if (link.isEmpty()) {
                joined.remove(name);
                all = false;
                continue;
            }
            Integer was = joined.get(name);
            if (was == null || was != link.get().index()) {
                try {
                    socket.join(link.get().index(), ALL_SERVERS);
                    joined.put(name, link.get().index());
                    warned.remove(name);
                } catch (IOException e) {
                    if (warned.add(name)) { // readiness asks often: say it once per failing interface
                        LOG.warn(LogEvents.DHCP_SIX_RECEIVE_FAILED + " interface={} error=\"{}\"", name, e.getMessage());
                    }
                    all = false;
                    continue;
                }
            }
            byIndex.put(link.get().index(), link.get());
        }
        return all;
    }

    /** Ready once every interface that serves an IPv6 network is joined. */
    public boolean ready() {
        if (stopping) {
            return false;
        }
        joinAll();
        for (String name : interfaces) {
            if (!joined.containsKey(name)) {
                Optional<Links.Link> link = links.find(name);
                if (link.isEmpty() || networks.on(link.get()).isPresent()) {
                    return false;
                }
            }
        }
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
                LOG.warn(LogEvents.DHCP_SIX_RECEIVE_FAILED + " error=\"{}\"", e.getMessage());
                continue;
            }
            if (dispatch == Dispatch.INLINE) {
                handleDeferred(d);
                continue;
            }
            if (!inFlight.tryAcquire()) {
                onDrop.run();
                continue;
            }
            Datagram6 request = d;
            handlers.start(() -> {
                try {
                    handle(request);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    /** On a handler thread: bindings are durable when the protocol returns. */
    private void handle(Datagram6 d) {
        try {
            Optional<Dhcp6Protocol.Answer> answer = protocol.handle(d.payload(), directNetwork(d.ifIndex()));
            answer.ifPresent(a -> send(d, a));
        } catch (RuntimeException e) {
            LOG.error(LogEvents.DHCP_SIX_HANDLER_FAILED + " from=[{}] error=\"{}\"", d.source(), e.toString(), e);
        }
    }

    /** On the receiver: the answer leaves once what the protocol wrote is durable (see the class comment). */
    private void handleDeferred(Datagram6 d) {
        try {
            NetworkSpec direct = directNetwork(d.ifIndex());
            DeferredDurability durability = new DeferredDurability();
            Optional<Dhcp6Protocol.Answer> answer = durability.run(() -> protocol.handle(d.payload(), direct));
            if (answer.isEmpty()) {
                return;
            }
            Dhcp6Protocol.Answer a = answer.get();
            awaitingDurable.incrementAndGet(); // whenDurable runs the callback at once when nothing is pending
            durability.whenDurable(durable -> {
                awaitingDurable.decrementAndGet();
                if (durable) {
                    send(d, a);
                } else {
                    LOG.warn(LogEvents.DHCP_SIX_SEND_FAILED + " to=[{}]:{} error=\"binding not durable: answer held back\"",
                            d.source(), d.sourcePort());
                }
            });
        } catch (RuntimeException e) {
            LOG.error(LogEvents.DHCP_SIX_HANDLER_FAILED + " from=[{}] error=\"{}\"", d.source(), e.toString(), e);
        }
    }

    /** Runs on the receiver, a handler thread or the store's commit thread: one sendmsg, at the pace. */
    private void send(Datagram6 d, Dhcp6Protocol.Answer answer) {
        boolean linkLocal = (d.source().high() >>> 54) == (0xfe80L >>> 6);
        int port = answer.toRelay() ? SERVER_PORT : d.sourcePort() != 0 ? d.sourcePort() : CLIENT_PORT;
        pacer.pace();
        try {
            socket.send(linkLocal || !answer.toRelay() ? d.ifIndex() : 0, d.source(), port, answer.payload());
        } catch (IOException e) {
            LOG.warn(LogEvents.DHCP_SIX_SEND_FAILED + " to=[{}]:{} error=\"{}\"", d.source(), d.sourcePort(), e.getMessage());
        }
    }

    /** The network of the interface behind {@code ifIndex}, if it is one we serve. */
    private NetworkSpec directNetwork(int ifIndex) {
        Links.Link link = byIndex.get(ifIndex);
        if (link == null || !interfaces.contains(link.name())) {
            return null;
        }
        // Asking the kernel about an interface costs several syscalls: its IPv4 address (which may
        // be added after start) is looked up again at most every LINK_TTL.
        long now = clock.millis();
        Long fetched = fetchedAt.get(ifIndex);
        if (fetched == null || now - fetched > LINK_TTL_MILLIS) {
            link = links.find(link.name()).orElse(link);
            byIndex.put(ifIndex, link);
            fetchedAt.put(ifIndex, now);
        }
        return networks.on(link).orElse(null);
    }

    /**
     * Stops receiving, lets handlers in flight finish and answers waiting for the store go out (up
     * to 2 s in all), then closes the socket.
     */
    public void stop() {
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            if (inFlight.tryAcquire(maxInFlight, 2, TimeUnit.SECONDS)) {
                inFlight.release(maxInFlight);
            }
            // The store is still open and commits what is pending; poll, as this happens once per shutdown.
            while (awaitingDurable.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.warn(LogEvents.DHCP_SIX_RECEIVE_FAILED + " error=\"{}\"", e.getMessage());
        }
        if (receiver != null) {
            try {
                receiver.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
