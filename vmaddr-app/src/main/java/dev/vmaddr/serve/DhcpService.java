package dev.vmaddr.serve;

import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.dhcp.protocol.ConflictProbe;
import dev.vmaddr.dhcp.protocol.DhcpEvents;
import dev.vmaddr.dhcp.protocol.DhcpProtocol;
import dev.vmaddr.dhcp.protocol.DhcpServerSettings;
import dev.vmaddr.dhcp.protocol.NewClientGuard;
import dev.vmaddr.dhcp.server.ArpingConflictProbe;
import dev.vmaddr.dhcp.server.DhcpEventLog;
import dev.vmaddr.dhcp.server.DhcpServer;
import dev.vmaddr.dhcp.server.EngineClientPolicy;
import dev.vmaddr.dhcp.server.EngineLeaseOperations;
import dev.vmaddr.dhcp.server.IcmpConflictProbe;
import dev.vmaddr.dhcp.transport.FfmUdpTransport;
import dev.vmaddr.dhcp.transport.NetworkInterfaces;
import dev.vmaddr.dhcp.transport.PacketTransport;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.metrics.DhcpMetrics;
import dev.vmaddr.vm.VmInventory;
import java.io.IOException;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCP server as a {@link Service}: one socket on 0.0.0.0:67 for every configured interface and
 * for relays, the conflict probe the config asks for, events to metrics and logs. Ready once the
 * socket is bound and every interface the config lists exists.
 */
final class DhcpService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(DhcpService.class);
    /** Requests handled at once; beyond this they are dropped and counted (memory stays bounded). */
    private static final int MAX_IN_FLIGHT = 4096;
    static final int SERVER_PORT = FfmUdpTransport.DHCP_SERVER_PORT;

    private final VmaddrConfig.Dhcp config;
    private final AllocationEngine engine;
    private final DhcpMetrics metrics;
    private final Clock clock;
    private final VmInventory vms;
    private final int port;
    private final boolean storeDefersDurability;
    private final TransportOpener transports;
    private final Duration interfaceTtl;
    private DhcpServer server;
    private boolean announced;
    private IcmpConflictProbe icmp;
    private final Set<String> missing = new HashSet<>();

    /** Opens the server's socket: {@link FfmUdpTransport#open}, or the AOT training's in-memory double. */
    @FunctionalInterface
    interface TransportOpener {
        PacketTransport open(int port) throws IOException;
    }

    /**
     * @param storeDefersDurability the store's {@link dev.vmaddr.store.Store#defersDurability()}
     * @param vms told which address each VM NIC's MAC bound; null for none
     * @param interfaceTtl the DHCP server's {@link DhcpServer#INTERFACE_TTL}, shorter in the warm-up
     */
    DhcpService(VmaddrConfig.Dhcp config, AllocationEngine engine, boolean storeDefersDurability, DhcpMetrics metrics,
                Clock clock, int port, VmInventory vms, TransportOpener transports, Duration interfaceTtl) {
        this.storeDefersDurability = storeDefersDurability;
        this.transports = transports;
        this.vms = vms;
        this.config = config;
        this.engine = engine;
        this.metrics = metrics;
        this.clock = clock;
        this.port = port;
        this.interfaceTtl = interfaceTtl;
    }

    @Override
    public String name() {
        return "dhcp";
    }

    @Override
    public void start() throws IOException {
        Duration timeout = config.probe().timeout();
        ConflictProbe probe = switch (config.probe().method()) {
            case NONE -> ConflictProbe.NONE;
            case ICMP -> icmp = IcmpConflictProbe.open(timeout);
            case ARP -> new ArpingConflictProbe(timeout, icmp = IcmpConflictProbe.open(timeout));
        };
        DhcpServerSettings settings = new DhcpServerSettings(config.authoritative(), config.serverId(),
                DhcpServerSettings.DEFAULTS.offerHold(), DhcpServerSettings.DEFAULTS.probeAttempts(), timeout,
                DhcpServerSettings.DEFAULTS.probedFreshFor());
        DhcpEvents log = new DhcpEventLog();
        DhcpEvents events = new DhcpEventsToMetrics(metrics, vms == null ? log : new VmDhcpObserver(vms, log));
        VmaddrConfig.NewClients nc = config.newClients();
        NewClientGuard guard = new NewClientGuard(new NewClientGuard.Limits(nc.perSecond(), nc.burst(), nc.offersInFlight()),
                settings.offerHold(), clock);
        DhcpProtocol protocol = new DhcpProtocol(new EngineLeaseOperations(engine), settings, probe, events, clock,
                new EngineClientPolicy(engine), guard);
        PacketTransport transport = transports.open(port);
        // Inline only when nothing in the protocol can block the receiver (see DhcpServer).
        DhcpServer.Dispatch dispatch = probe == ConflictProbe.NONE && storeDefersDurability
                ? DhcpServer.Dispatch.INLINE : DhcpServer.Dispatch.THREAD_PER_REQUEST;
        server = new DhcpServer(transport, protocol, events, Set.copyOf(config.interfaces()), clock, dispatch,
                MAX_IN_FLIGHT, interfaceTtl);
        server.start();
        // Announced for the socket only: the in-memory double (AOT training, DhcpWarmup) is nobody's DHCP server.
        announced = transport instanceof FfmUdpTransport;
        if (transport instanceof FfmUdpTransport udp) {
            LOG.info(LogEvents.DHCP_STARTED + " interfaces={} relayed=any dispatch={}", config.interfaces(), dispatch);
            LOG.info(LogEvents.DHCP_LISTENING + " port={} interfaces={} probe={} authoritative={}", udp.localPort(),
                    config.interfaces(), config.probe().method().name().toLowerCase(), config.authoritative());
        }
    }

    @Override
    public boolean ready() {
        if (server == null || !server.ready()) {
            return false;
        }
        for (String nif : config.interfaces()) {
            boolean present;
            try {
                present = NetworkInterfaces.indexOf(nif).isPresent();
            } catch (SocketException e) {
                present = false;
            }
            synchronized (missing) {
                if (!present && missing.add(nif)) {
                    LOG.warn(LogEvents.DHCP_INTERFACE_MISSING + " interface={}", nif);
                } else if (present) {
                    missing.remove(nif);
                }
            }
            if (!present) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
            if (announced) {
                LOG.info(LogEvents.DHCP_STOPPED);
            }
        }
        if (icmp != null) {
            try {
                icmp.close();
            } catch (IOException e) {
                LOG.warn(LogEvents.DHCP_PROBE_CLOSE_FAILED + " error=\"{}\"", e.getMessage());
            }
        }
    }
}
