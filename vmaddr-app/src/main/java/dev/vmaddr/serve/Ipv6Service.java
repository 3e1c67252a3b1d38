package dev.vmaddr.serve;

import dev.vmaddr.dhcp.transport.Ipv6Socket;
import dev.vmaddr.dhcp.transport.Packet6Transport;
import dev.vmaddr.dhcp6.protocol.Dhcp6Protocol;
import dev.vmaddr.dhcp6.server.Dhcp6EventLog;
import dev.vmaddr.dhcp6.server.Dhcp6Server;
import dev.vmaddr.dhcp6.server.EngineLease6Operations;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.model.Duid;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.ra.Links;
import dev.vmaddr.ra.RaServer;
import dev.vmaddr.ra.ServedNetworks;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPv6 on the served interfaces as a {@link Service}: router advertisements for every network with
 * an {@code ipv6Prefix}, and DHCPv6 on [::]:547. Ready once every interface that serves an IPv6
 * network listens for solicitations and DHCPv6.
 */
final class Ipv6Service implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(Ipv6Service.class);

    private final List<String> interfaces;
    private final AllocationEngine engine;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Ipv6Leases leases;
    private final DocumentStore documents;
    private final boolean storeDefersDurability;
    private final Sockets sockets;
    private RaServer ra;
    private Dhcp6Server dhcp6;
    /** Opens the two IPv6 sockets; the AOT training passes in-memory ones. */
    interface Sockets {
        /** Raw ICMPv6 for solicitations and advertisements. */
        Packet6Transport router() throws IOException;

        /** UDP on [::]:547. */
        Packet6Transport dhcp6() throws IOException;

        Sockets HOST = new Sockets() {
            @Override
            public Packet6Transport router() throws IOException {
                return Ipv6Socket.openRouterSocket();
            }

            @Override
            public Packet6Transport dhcp6() throws IOException {
                return Ipv6Socket.openUdp(Ipv6Socket.DHCP6_SERVER_PORT);
            }
        };
    }

    /** Requests handled at once; beyond this they are dropped and counted. */
    private static final int MAX_IN_FLIGHT = 4096;
    private boolean unavailable;

    /** @param storeDefersDurability the store's {@link dev.vmaddr.store.Store#defersDurability()}: DHCPv6 then runs inline */
    Ipv6Service(List<String> interfaces, AllocationEngine engine, Ipv6Leases leases, DocumentStore documents,
                boolean storeDefersDurability, MeterRegistry registry, Clock clock) {
        this(interfaces, engine, leases, documents, storeDefersDurability, registry, clock, Sockets.HOST);
    }

    Ipv6Service(List<String> interfaces, AllocationEngine engine, Ipv6Leases leases, DocumentStore documents,
                boolean storeDefersDurability, MeterRegistry registry, Clock clock, Sockets sockets) {
        this.sockets = sockets;
        this.storeDefersDurability = storeDefersDurability;
        this.leases = leases;
        this.documents = documents;
        this.interfaces = List.copyOf(interfaces);
        this.engine = engine;
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "ipv6";
    }

    @Override
    public void start() throws IOException {
        ServedNetworks networks = new ServedNetworks(engine::networks);
        Packet6Transport socket;
        try {
            socket = sockets.router();
        } catch (IOException e) {
            if (!networks.all().isEmpty()) {
                throw e;
            }
            // A host without IPv6 still serves DHCPv4; no network asks for IPv6 yet.
            LOG.warn(LogEvents.RA_SEND_FAILED + " error=\"{}\" ipv6Networks=0", e.getMessage());
            unavailable = true;
            return;
        }
        ra = new RaServer(socket, interfaces, networks, Links.HOST, clock, new SecureRandom());
        RaServer r = ra;
        FunctionCounter.builder("vmaddr_ra_sent_total", r, RaServer::sentCount)
                .description("router advertisements sent").register(registry);
        FunctionCounter.builder("vmaddr_ra_solicitations_total", r, RaServer::solicitationCount)
                .description("router solicitations received").register(registry);
        FunctionCounter.builder("vmaddr_ra_malformed_total", r, RaServer::malformedCount)
                .description("ICMPv6 messages on the router socket that were not valid solicitations").register(registry);
        ra.start();
        LOG.info(LogEvents.RA_LISTENING + " interfaces={}", interfaces);

        Duid serverDuid = ServerDuid.loadOrCreate(documents, interfaces, new SecureRandom());
        Dhcp6EventLog events = new Dhcp6EventLog();
        Dhcp6Protocol protocol = new Dhcp6Protocol(new EngineLease6Operations(leases, networks), serverDuid, events);
        dhcp6 = new Dhcp6Server(sockets.dhcp6(), protocol, interfaces, networks,
                Links.HOST, clock, storeDefersDurability ? Dhcp6Server.Dispatch.INLINE : Dhcp6Server.Dispatch.THREAD_PER_REQUEST,
                MAX_IN_FLIGHT);
        io.micrometer.core.instrument.Counter overload = io.micrometer.core.instrument.Counter
                .builder("vmaddr_dhcp6_dropped_total").tag("reason", "overload").register(registry);
        dhcp6.onOverload(overload::increment);
        FunctionCounter.builder("vmaddr_dhcp6_received_total", events, Dhcp6EventLog::receivedCount)
                .description("DHCPv6 messages received").register(registry);
        FunctionCounter.builder("vmaddr_dhcp6_sent_total", events, Dhcp6EventLog::sentCount)
                .description("DHCPv6 answers sent").register(registry);
        FunctionCounter.builder("vmaddr_dhcp6_malformed_total", events, Dhcp6EventLog::malformedCount)
                .description("datagrams on port 547 that were not well-formed DHCPv6").register(registry);
        FunctionCounter.builder("vmaddr_dhcp6_ignored_total", events, Dhcp6EventLog::droppedCount)
                .description("well-formed DHCPv6 messages not answered (wrong server id, no network, slaac-only)")
                .register(registry);
        dhcp6.start();
        LOG.info(LogEvents.DHCP_SIX_LISTENING + " port={} interfaces={} serverDuid={} inline={}", Ipv6Socket.DHCP6_SERVER_PORT,
                interfaces, serverDuid, storeDefersDurability);
    }

    @Override
    public boolean ready() {
        return unavailable || ra != null && ra.ready() && dhcp6 != null && dhcp6.ready();
    }

    @Override
    public void stop() {
        if (ra != null) {
            ra.stop();
        }
        if (dhcp6 != null) {
            dhcp6.stop();
        }
    }
}
