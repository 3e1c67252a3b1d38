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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCP receive loop: bytes from the transport → codec → protocol → codec → transport.
 *
 * <h2>Threads</h2>
 * One platform thread receives. Each datagram is then handled on its own virtual thread, because
 * the protocol may block: in the store's group commit until an ACKed lease is durable, and on a
 * conflict probe before a first offer. Neither holds up other clients. At most {@code maxInFlight}
 * datagrams are handled at once; beyond that a datagram is dropped (and counted) rather than
 * queued, so a flood cannot grow memory without bound and clients simply retransmit.
 *
 * <h2>What is served</h2>
 * Requests arriving directly (giaddr 0) are answered only on the configured interfaces; relayed
 * requests (giaddr set) are accepted on any interface, since the relay's address selects the
 * network.
 */
public final class DhcpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DhcpServer.class);

    private final PacketTransport transport;
    private final DhcpProtocol protocol;
    private final DhcpEvents events;
    private final Set<String> interfaces;
    private final InterfaceDirectory directory;
    private final DhcpDecoder decoder = new DhcpDecoder();
    private final DhcpEncoder encoder = new DhcpEncoder();
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final Thread receiver;
    private volatile boolean stopping;

    public DhcpServer(PacketTransport transport, DhcpProtocol protocol, DhcpEvents events, Set<String> interfaces,
                      Clock clock, int maxInFlight) {
        this.transport = transport;
        this.protocol = protocol;
        this.events = events;
        this.interfaces = Set.copyOf(interfaces);
        this.directory = new InterfaceDirectory(clock, Duration.ofSeconds(10));
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.receiver = Thread.ofPlatform().name("dhcp-receiver").daemon().unstarted(this::receiveLoop);
    }

    public void start() {
        receiver.start();
        LOG.info("event=dhcp.started interfaces={} relayed=any", interfaces);
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
                LOG.warn("event=dhcp.receive_failed error=\"{}\"", e.getMessage());
                continue;
            }
            if (!inFlight.tryAcquire()) {
                events.dropped(DropReason.OVERLOADED, "more than " + maxInFlight + " requests in flight");
                continue;
            }
            Thread.ofVirtual().start(() -> {
                try {
                    handle(d);
                } catch (RuntimeException e) {
                    // The protocol is fuzzed not to throw; if it ever does, one packet is lost, not the server.
                    LOG.error("event=dhcp.handler_failed error=\"{}\"", e.toString(), e);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    private void handle(Datagram d) {
        InterfaceDirectory.Entry nif = directory.lookup(d.ifIndex());
        ReceiveContext ctx = new ReceiveContext(nif.name(), nif.address(), Ipv4Address.of(d.destination()),
                Ipv4Address.of(d.source().getAddress()));
        DhcpMessage request;
        try {
            request = decoder.decode(d.payload(), 0, d.length());
        } catch (MalformedPacketException e) {
            events.malformed(e.reason(), ctx);
            return;
        }
        if (request.giaddr().isAny() && (nif.name() == null || !interfaces.contains(nif.name()))) {
            events.dropped(DropReason.NOT_SERVED_HERE, "direct request on " + nif.name());
            return;
        }
        Optional<Reply> reply = protocol.handle(request, ctx);
        if (reply.isEmpty()) {
            return;
        }
        send(reply.get(), d.ifIndex(), nif.address());
    }

    private void send(Reply reply, int ifIndex, Ipv4Address interfaceAddress) {
        byte[] bytes = encoder.encode(reply.message(), reply.maxMessageSize());
        // Direct replies leave through the interface the request came in on (broadcasts have no
        // route); relayed replies go to the relay, wherever routing says it is.
        boolean direct = reply.interfaceName() != null;
        try {
            transport.send(direct ? ifIndex : 0, direct && interfaceAddress != null ? interfaceAddress.toInetAddress() : null,
                    new InetSocketAddress(reply.destination().toInetAddress(), reply.port()), bytes, 0, bytes.length);
        } catch (IOException e) {
            LOG.warn("event=dhcp.send_failed to={}:{} type={} error=\"{}\"", reply.destination(), reply.port(),
                    reply.type(), e.getMessage());
        }
    }

    /** True while the receive loop runs. */
    public boolean ready() {
        return receiver.isAlive() && !stopping;
    }

    /**
     * Stops receiving, lets handlers in flight finish (their leases are durable before they reply;
     * up to {@code grace}), then closes the socket.
     */
    public void stop(Duration grace) {
        stopping = true;
        try {
            if (inFlight.tryAcquire(maxInFlight, grace.toMillis(), TimeUnit.MILLISECONDS)) {
                inFlight.release(maxInFlight);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            transport.close();
        } catch (IOException e) {
            LOG.warn("event=dhcp.close_failed error=\"{}\"", e.getMessage());
        }
        LOG.info("event=dhcp.stopped");
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
