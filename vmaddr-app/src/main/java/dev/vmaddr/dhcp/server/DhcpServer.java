package dev.vmaddr.dhcp.server;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpDecoder;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.MalformedPacketException;
import dev.vmaddr.dhcp.protocol.DhcpEvents;
import dev.vmaddr.dhcp.protocol.DhcpProtocol;
import dev.vmaddr.dhcp.protocol.DropReason;
import dev.vmaddr.dhcp.protocol.ReceiveContext;
import dev.vmaddr.dhcp.protocol.Reply;
import dev.vmaddr.dhcp.transport.Datagram;
import dev.vmaddr.dhcp.transport.PacketTransport;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.HistoryActor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCP receive loop: bytes from the transport → codec → protocol → codec → transport.
 *
 * <h2>Threads</h2>
 * One platform thread receives. The protocol runs in a {@link DeferredDurability} scope: a lease
 * written by the allocation engine is applied at once, and the reply that depends on it (the ACK)
 * is handed to the store, which sends it from its commit thread right after the fsync (embedded) or
 * the commit of the statement (PostgreSQL) that made the lease durable. So nothing waits for the
 * disk or the database, and one fsync or statement answers a whole batch of clients.
 * <ul>
 *   <li>{@link Dispatch#INLINE}: the receiver thread handles each datagram itself. Only when nothing
 *   in the protocol can block: no conflict probe, and a store that defers durable waits. This is
 *   the fast path: no thread hand-off, no wake-up per packet (each costs more CPU than decoding,
 *   deciding and encoding a DHCP message).</li>
 *   <li>{@link Dispatch#THREAD_PER_REQUEST}: each datagram gets its own virtual thread, because the
 *   protocol may block — on a conflict probe before a first offer, or in a store that cannot defer.
 *   Neither holds up other clients. At most {@code maxInFlight} datagrams are handled at once;
 *   beyond that a datagram is dropped (and counted) rather than queued, so a flood cannot grow
 *   memory without bound and clients simply retransmit.</li>
 * </ul>
 *
 * <h2>What is served</h2>
 * Requests arriving directly (giaddr 0) are answered only on the configured interfaces; relayed
 * requests (giaddr set) are accepted on any interface, since the relay's address selects the
 * network.
 */
public final class DhcpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DhcpServer.class);

    /** How long a server uses an interface's name and address before reading them again: an address added to a bridge is seen this late. */
    public static final Duration INTERFACE_TTL = Duration.ofSeconds(10);

    /** Where a datagram is handled; see the class comment. */
    public enum Dispatch { INLINE, THREAD_PER_REQUEST }

    private final PacketTransport transport;
    private final DhcpProtocol protocol;
    private final DhcpEvents events;
    private final Set<String> interfaces;
    private final InterfaceDirectory directory;
    // Owned by the receiver thread: every datagram is decoded there (in both dispatch modes), so the
    // decoder keeps its working arrays between packets.
    private final DhcpDecoder decoder = DhcpDecoder.forOneThread();
    private final DhcpEncoder encoder = new DhcpEncoder();
    /**
     * Owned by the receiver thread (used only in {@link Dispatch#INLINE}): replies are encoded here;
     * one that needs no durable write (an OFFER, a NAK, an INFORM's ACK) leaves from it directly, one
     * that waits for the store is copied out at its exact length. Sized for the largest payload a
     * client may ask for (a 16-bit max message size).
     */
    private final byte[] replyScratch = new byte[DhcpEncoder.payloadLimit(65_535)];
    /**
     * The last reply destination, reused while it stays the same (the relay, or the broadcast address
     * and port 68): an immutable value replaced whole, so the receiver and the committer may both read
     * and write it without a lock.
     */
    private volatile Destination lastDestination;
    // 56,000 replies/s (28,000 DORA/s). A burst of 32 passes untouched: the ~200 KiB default receive
    // buffer of a relay holds ~90 replies (an skb per datagram); bursts of 128 at 50,000/s still lost
    // ACKs after 0.5 s PostgreSQL commit stalls (perfdhcp's RcvbufErrors), 32 at 30,000 or 40,000/s
    // lost none. The rate must stay above the replies a busy link asks for, or the pacer itself is the
    // queue: at 48,000/s, exactly the 24,000 DORA/s of the shared harness's highest rate, replies
    // waited 58-68 ms on average and 1.0-1.6 % were lost in four fresh windows of four at 24,000/s,
    // with the server at 42-45 % of a core. Nor much above it: the pace is what spreads the replies
    // of a stall (a young collection, a slow fsync) over the next milliseconds, and the load
    // generator's socket overflowed more often the faster they came. Fresh servers, the harness's
    // timing (2 s at 3,000/s, then 5 s), 0.1 % the line: at 24,000/s 56,000 held six windows of six,
    // 64,000 three of six, 80,000 none of three, 48,000 none of four; at 20,000/s 56,000 held five of
    // six, 64,000 one of four, 48,000 seven of seven (stop 32). 40,000 is the whole schedule at 20,000
    // DORA/s and lost 0.5-9 % there (stop 30).
    private final ReplyPacer pacer = new ReplyPacer(56_000, 32);
    private final Dispatch dispatch;
    private final int maxInFlight;
    private final Semaphore inFlight;
    /** Replies handed to the store, waiting for their lease to become durable. */
    private final AtomicInteger awaitingDurable = new AtomicInteger();
    private final Thread receiver;
    private volatile boolean stopping;

    /**
     * @param interfaceTtl how long an interface's name and address are used before they are read
     *                     again ({@link #INTERFACE_TTL}; see {@link InterfaceDirectory})
     */
    public DhcpServer(PacketTransport transport, DhcpProtocol protocol, DhcpEvents events, Set<String> interfaces,
                      Clock clock, Dispatch dispatch, int maxInFlight, Duration interfaceTtl) {
        this.transport = transport;
        this.protocol = protocol;
        this.events = events;
        this.interfaces = Set.copyOf(interfaces);
        this.directory = new InterfaceDirectory(clock, interfaceTtl);
        this.dispatch = dispatch;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        // The history actor is bound once for the thread's life, not per packet: no allocation per packet.
        this.receiver = Thread.ofPlatform().name("dhcp-receiver").daemon()
                .unstarted(() -> HistoryActor.run(HistoryActor.DHCP, this::receiveLoop));
    }

    public void start() {
        receiver.start();
    }

    private void receiveLoop() {
        while (!stopping) {
            Datagram d;
            try {
                d = transport.receive();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                LOG.warn(LogEvents.DHCP_RECEIVE_FAILED + " error=\"{}\"", e.getMessage());
                continue;
            }
            InterfaceDirectory.Entry nif;
            ReceiveContext ctx;
            DhcpMessage request;
            try {
                nif = directory.lookup(d.ifIndex());
                ctx = new ReceiveContext(nif.name(), nif.address(), Ipv4Address.of(d.destination()),
                        Ipv4Address.of(d.source().getAddress()));
                request = accept(d, nif, ctx);
            } catch (RuntimeException e) {
                LOG.error(LogEvents.DHCP_HANDLER_FAILED + " error=\"{}\"", e.toString(), e);
                continue;
            }
            if (request == null) {
                continue;
            }
            if (dispatch == Dispatch.INLINE) {
                handleSafely(d, nif, ctx, request, replyScratch);
                continue;
            }
            if (!inFlight.tryAcquire()) {
                events.dropped(DropReason.OVERLOADED, "more than " + maxInFlight + " requests in flight");
                continue;
            }
            Thread.ofVirtual().start(() -> {
                try {
                    // a fresh thread does not inherit the receiver's binding (this path already allocates a thread)
                    HistoryActor.run(HistoryActor.DHCP, () -> handleSafely(d, nif, ctx, request, null));
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    /**
     * On the receiver: the decoded request, or null when it is malformed or not served here (counted).
     * Decoding stays on the receiver in both dispatch modes: it never blocks, and its decoder is the
     * receiver's own.
     */
    private DhcpMessage accept(Datagram d, InterfaceDirectory.Entry nif, ReceiveContext ctx) {
        DhcpMessage request;
        try {
            request = decoder.decode(d.payload(), 0, d.length());
        } catch (MalformedPacketException e) {
            events.malformed(e.reason(), ctx);
            return null;
        }
        if (request.giaddr().isAny() && (nif.name() == null || !interfaces.contains(nif.name()))) {
            events.dropped(DropReason.NOT_SERVED_HERE, "direct request on " + nif.name());
            return null;
        }
        return request;
    }

    private void handleSafely(Datagram d, InterfaceDirectory.Entry nif, ReceiveContext ctx, DhcpMessage request,
                              byte[] scratch) {
        try {
            handle(d, nif, ctx, request, scratch);
        } catch (RuntimeException e) {
            // The protocol is fuzzed not to throw; if it ever does, one packet is lost, not the server.
            LOG.error(LogEvents.DHCP_HANDLER_FAILED + " error=\"{}\"", e.toString(), e);
        }
    }

    /** @param scratch the receiver's reply buffer when called on the receiver, else null (a buffer per reply) */
    private void handle(Datagram d, InterfaceDirectory.Entry nif, ReceiveContext ctx, DhcpMessage request,
                        byte[] scratch) {
        DeferredDurability durability = new DeferredDurability();
        Optional<Reply> reply = durability.run(() -> protocol.handle(request, ctx));
        if (reply.isEmpty()) {
            return;
        }
        Reply r = reply.get();
        byte[] bytes;
        if (scratch != null) {
            int n = encoder.encode(r.message(), scratch, 0, r.maxMessageSize());
            if (!durability.pending()) {
                send(r, scratch, n, d.ifIndex(), nif.address());
                return;
            }
            bytes = Arrays.copyOf(scratch, n); // one array of the reply's size, kept until the lease is durable
        } else {
            bytes = encoder.encode(r.message(), r.maxMessageSize());
        }
        awaitingDurable.incrementAndGet(); // whenDurable runs the callback at once when nothing is pending
        durability.whenDurable(durable -> {
            awaitingDurable.decrementAndGet();
            if (durable) {
                send(r, bytes, bytes.length, d.ifIndex(), nif.address());
            } else {
                events.dropped(DropReason.STORE_UNAVAILABLE, r.type() + " held back: its lease did not become durable");
            }
        });
    }

    /**
     * Runs on the receiver, a handler's virtual thread, or the store's commit thread; it waits only
     * for the reply pace (see {@link ReplyPacer}).
     */
    private void send(Reply reply, byte[] bytes, int length, int ifIndex, Ipv4Address interfaceAddress) {
        // Direct replies leave through the interface the request came in on (broadcasts have no
        // route); relayed replies go to the relay, wherever routing says it is.
        boolean direct = reply.interfaceName() != null;
        pacer.pace();
        try {
            transport.send(direct ? ifIndex : 0, direct && interfaceAddress != null ? interfaceAddress.toInetAddress() : null,
                    destination(reply.destination(), reply.port()), bytes, 0, length);
        } catch (IOException e) {
            LOG.warn(LogEvents.DHCP_SEND_FAILED + " to={}:{} type={} error=\"{}\"", reply.destination(), reply.port(),
                    reply.type(), e.getMessage());
        }
    }

    /** A reply's socket address; see {@link #lastDestination}. */
    private record Destination(Ipv4Address address, int port, InetSocketAddress socketAddress) { }

    private InetSocketAddress destination(Ipv4Address address, int port) {
        Destination last = lastDestination;
        if (last != null && last.port() == port && last.address().equals(address)) {
            return last.socketAddress();
        }
        Destination next = new Destination(address, port, new InetSocketAddress(address.toInetAddress(), port));
        lastDestination = next;
        return next.socketAddress();
    }

    /** True while the receive loop runs. */
    public boolean ready() {
        return receiver.isAlive() && !stopping;
    }

    /**
     * Stops receiving, lets handlers in flight finish and replies waiting for the store go out (up
     * to {@code grace} in all), then closes the socket.
     */
    public void stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            if (inFlight.tryAcquire(maxInFlight, grace.toMillis(), TimeUnit.MILLISECONDS)) {
                inFlight.release(maxInFlight);
            }
            // The store is still open: it commits what is pending and the replies leave; poll, as
            // this happens once per shutdown.
            while (awaitingDurable.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            transport.close();
        } catch (IOException e) {
            LOG.warn(LogEvents.DHCP_CLOSE_FAILED + " error=\"{}\"", e.getMessage());
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
