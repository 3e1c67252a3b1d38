package dev.vmaddr.dhcp6.server;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.dhcp.transport.Datagram6;
import dev.vmaddr.dhcp.transport.Packet6Transport;
import dev.vmaddr.dhcp6.protocol.Dhcp6Protocol;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.ra.Links;
import dev.vmaddr.ra.ServedNetworks;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCPv6 receive loop: datagrams from the UDP socket on [::]:547 to the protocol on a virtual
 * thread each (a binding waits for its durable write), answers back to the client's link-local
 * address on port 546 out of the arrival interface, or to the relay on 547. Joins
 * All_DHCP_Relay_Agents_and_Servers (ff02::1:2) on each served interface, again when an interface
 * comes back with another index.
 */
public final class Dhcp6Server {
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

    public Dhcp6Server(Packet6Transport socket, Dhcp6Protocol protocol, List<String> interfaces, ServedNetworks networks,
                       Links links, java.time.Clock clock, int maxInFlight) {
        this.clock = clock;
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

    private void handle(Datagram6 d) {
        try {
            NetworkSpec direct = directNetwork(d.ifIndex());
            Optional<Dhcp6Protocol.Answer> answer = protocol.handle(d.payload(), direct);
            if (answer.isEmpty()) {
                return;
            }
            boolean linkLocal = (d.source().high() >>> 54) == (0xfe80L >>> 6);
            int port = answer.get().toRelay() ? SERVER_PORT : d.sourcePort() != 0 ? d.sourcePort() : CLIENT_PORT;
            socket.send(linkLocal || !answer.get().toRelay() ? d.ifIndex() : 0, d.source(), port, answer.get().payload());
        } catch (IOException e) {
            LOG.warn(LogEvents.DHCP_SIX_SEND_FAILED + " to=[{}]:{} error=\"{}\"", d.source(), d.sourcePort(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error(LogEvents.DHCP_SIX_HANDLER_FAILED + " from=[{}] error=\"{}\"", d.source(), e.toString(), e);
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

    public void stop() {
        stopping = true;
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
