package dev.vmaddr.serve;

import dev.vmaddr.dhcp.transport.Ipv6Socket;
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
 * an {@code ipv6Prefix}. Ready once every interface listens for solicitations.
 */
final class Ipv6Service implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(Ipv6Service.class);

    private final List<String> interfaces;
    private final AllocationEngine engine;
    private final MeterRegistry registry;
    private final Clock clock;
    private RaServer ra;
    private boolean unavailable;

    Ipv6Service(List<String> interfaces, AllocationEngine engine, MeterRegistry registry, Clock clock) {
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
        Ipv6Socket socket;
        try {
            socket = Ipv6Socket.openRouterSocket();
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
    }

    @Override
    public boolean ready() {
        return unavailable || ra != null && ra.ready();
    }

    @Override
    public void stop() {
        if (ra != null) {
            ra.stop();
        }
    }
}
