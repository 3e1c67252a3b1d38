package dev.vmaddr.connectivity;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.connectivity.NetworkProbe.ProbeSession;
import dev.vmaddr.connectivity.NetworkStatus.Mode;
import dev.vmaddr.connectivity.NetworkStatus.Reason;
import dev.vmaddr.connectivity.NetworkStatus.Status;
import dev.vmaddr.hostnet.Link;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.RouteSpec;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a network reaches its gateway, from the network itself (seed 003): the host
 * interface must exist and be up; in auto mode a DHCP DISCOVER (no REQUEST) teaches the CIDR and
 * gateway, and a RELEASE gives the offered address back; then an ARP probe and an ICMP echo to the
 * gateway from a probe interface on the network. The first failing step is the reason. Thread-safe:
 * every check uses its own probe namespace.
 *
 * <p>A network vmaddr itself serves (its bridge is a {@code dhcp.interfaces} entry, or it is served
 * through relays) is never DHCP-probed, whatever its route mode: asking ourselves would only echo our
 * own config back, and each probe would leave an offered lease for a client that never existed in the
 * pool. Its route facts are its config (CIDR, gateway); the gateway is still probed from the network.
 */
public final class ConnectivityChecker {
    private static final Logger log = LoggerFactory.getLogger(ConnectivityChecker.class);

    /** @param dhcpWindow how long to wait for an OFFER (one resend half-way); dnsmasq pings an address ~3 s
     *                   before its first OFFER of it, so the default is 5 s (a check ends at the first OFFER) */
    public record Options(Duration dhcpWindow, int arpRequests, int pings) {
        public static final Options DEFAULT = new Options(Duration.ofSeconds(5), 3, 3);
    }

    private final NetworkProbe probe;
    private final Clock clock;
    private final Options options;
    private final Predicate<ProbeTarget> servedByVmaddr;

    /** For networks some other DHCP server serves (or none). */
    public ConnectivityChecker(NetworkProbe probe, Clock clock, Options options) {
        this(probe, clock, options, t -> false);
    }

    /** @param servedByVmaddr whether this server is the DHCP server of a network: then it is never DHCP-probed */
    public ConnectivityChecker(NetworkProbe probe, Clock clock, Options options, Predicate<ProbeTarget> servedByVmaddr) {
        this.probe = probe;
        this.clock = clock;
        this.options = options;
        this.servedByVmaddr = servedByVmaddr;
    }

    public NetworkStatus check(NetworkSpec network) {
        return check(ProbeTarget.of(network));
    }

    public NetworkStatus check(ProbeTarget t) {
        NetworkStatus s = doCheck(t);
        log.info(LogEvents.NETWORK_CHECKED + " network={} mode={} status={} reason=\"{}\" cidr={} gateway={}", s.network(),
                s.mode().json(), s.status(), s.reason() == null ? "" : s.reason(), s.cidr(), s.gateway());
        return s;
    }

    private NetworkStatus doCheck(ProbeTarget t) {
        boolean manual = t.route().mode() == RouteSpec.Mode.MANUAL;
        boolean learn = !manual && !servedByVmaddr.test(t); // auto mode learns by DHCP, except from ourselves
        Mode mode = manual ? Mode.MANUAL : Mode.AUTO;
        Ipv4Prefix cidr = manual ? t.route().cidr() : learn ? null : t.cidr();
        Ipv4Address gateway = manual ? t.route().gateway() : learn ? null : t.gateway();
        // Nothing to check from is Unknown, not Inactive (PRODUCT.md part 7): an IPAM-only network (CNI,
        // API) or one whose bridge lives on another host is not broken, it is just not visible from here.
        if (t.iface() == null) {
            return unknown(t, mode, "the network names no host interface (bridge): nothing to check from on this host",
                    cidr, gateway);
        }
        Optional<Link> link;
        try {
            link = Link.get(probe.host(), t.iface());
        } catch (IOException e) {
            return inactive(t, mode, Reason.PROBE_FAILED, e.getMessage(), cidr, gateway);
        }
        if (link.isEmpty()) {
            return unknown(t, mode, t.iface() + " does not exist on this host: nothing to check from", cidr, gateway);
        }
        Link l = link.get();
        if (!l.operUp()) {
            return inactive(t, mode, Reason.INTERFACE_DOWN, t.iface() + (l.adminUp() ? " has no carrier (operstate "
                    + l.operState() + "; no port up?)" : " is administratively down"), cidr, gateway);
        }
        if (!learn && (gateway == null || cidr == null)) {
            return unknown(t, mode, Reason.NO_GATEWAY, (manual ? "the manual route of " + t.network() : "vmaddr serves "
                    + t.network() + " and its config") + " names no " + (gateway == null ? "gateway" : "CIDR"), cidr, gateway);
        }
        try (ProbeSession session = probe.open(l, t.vlan())) {
            if (!learn) {
                return probeGateway(session, t, mode, cidr, gateway, null);
            }
            List<DhcpOffer> offers = session.dhcpDiscover(options.dhcpWindow(), true);
            if (offers.isEmpty()) {
                return inactive(t, mode, Reason.NO_DHCP_OFFER, "no OFFER within " + options.dhcpWindow().toMillis()
                        + " ms on " + t.iface(), null, null);
            }
            DhcpOffer offer = offers.getFirst();
            try {
                if (offer.cidr() == null || offer.router() == null) {
                    return inactive(t, mode, Reason.NO_GATEWAY_OFFERED, "OFFER from " + offer.server()
                            + " lacks option " + (offer.cidr() == null ? "1 (mask)" : "3 (router)"), offer.cidr(), offer.router());
                }
                if (t.cidr() != null && !t.cidr().equals(offer.cidr())) {
                    return inactive(t, mode, Reason.CIDR_DIFFERS, "DHCP server " + offer.server() + " offers " + offer.cidr()
                            + ", vmaddr has " + t.cidr(), offer.cidr(), offer.router());
                }
                return probeGateway(session, t, mode, offer.cidr(), offer.router(), offer.yiaddr());
            } finally {
                release(session, offer);
            }
        } catch (ProbeException e) {
            return inactive(t, mode, Reason.PROBE_FAILED, e.getMessage(), cidr, gateway);
        }
    }

    /**
     * ARP, then ICMP echo, to the gateway from the probe interface.
     *
     * @param offered the address a DHCP server just offered the probe (its ICMP source), or null: pick a free one
     */
    private NetworkStatus probeGateway(ProbeSession session, ProbeTarget t, Mode mode, Ipv4Prefix cidr,
                                       Ipv4Address gateway, Ipv4Address offered) throws ProbeException {
        if (session.arp(gateway, options.arpRequests()).isEmpty()) {
            return inactive(t, mode, Reason.ARP_SILENT, "no ARP reply from " + gateway + " on " + t.iface(), cidr, gateway);
        }
        Ipv4Address source = offered == null || offered.equals(gateway) ? freeAddress(session, cidr, gateway) : offered;
        if (source == null) {
            return inactive(t, mode, Reason.PROBE_FAILED, "no free address in " + cidr + " to send ICMP from", cidr, gateway);
        }
        session.addAddress(source, cidr.length());
        if (!session.ping(gateway, options.pings(), null)) {
            return inactive(t, mode, Reason.ICMP_SILENT, "no echo reply from " + gateway + " (sent from " + source + ")",
                    cidr, gateway);
        }
        return new NetworkStatus(t.network(), mode, Status.Active, null, null, cidr, gateway, clock.instant());
    }

    /**
     * Gives back what the probe was offered, from the offered address (put on the probe interface now
     * unless the ICMP step already did). A failure only costs the server an offer it will time out.
     */
    private static void release(ProbeSession session, DhcpOffer offer) {
        try {
            if (!session.hasAddress(offer.yiaddr())) {
                session.addAddress(offer.yiaddr(), offer.cidr() != null ? offer.cidr().length() : 32);
            }
            session.dhcpRelease(offer);
        } catch (ProbeException e) {
            log.warn(LogEvents.PROBE_RELEASE_FAILED + " ip={} server={} error=\"{}\"", offer.yiaddr(), offer.server(), e.getMessage());
        }
    }

    /** The highest addresses of the CIDR first: pools usually start low, gateways sit at .1 or .254. */
    private static Ipv4Address freeAddress(ProbeSession session, Ipv4Prefix cidr, Ipv4Address gateway) {
        Ipv4Address candidate = cidr.broadcast().plus(-1);
        for (int i = 0; i < 4 && cidr.contains(candidate) && !cidr.isNetworkOrBroadcast(candidate); i++) {
            if (!candidate.equals(gateway) && !session.inUse(candidate)) {
                return candidate;
            }
            candidate = candidate.plus(-1);
        }
        return null;
    }

    private NetworkStatus unknown(ProbeTarget t, Mode mode, String detail, Ipv4Prefix cidr, Ipv4Address gateway) {
        return unknown(t, mode, Reason.NO_INTERFACE, detail, cidr, gateway);
    }

    private NetworkStatus unknown(ProbeTarget t, Mode mode, Reason reason, String detail, Ipv4Prefix cidr,
                                  Ipv4Address gateway) {
        return new NetworkStatus(t.network(), mode, Status.Unknown, reason.text, detail, cidr, gateway, clock.instant());
    }

    private NetworkStatus inactive(ProbeTarget t, Mode mode, Reason reason, String detail, Ipv4Prefix cidr,
                                   Ipv4Address gateway) {
        return new NetworkStatus(t.network(), mode, Status.Inactive, reason.text, detail, cidr, gateway, clock.instant());
    }
}
