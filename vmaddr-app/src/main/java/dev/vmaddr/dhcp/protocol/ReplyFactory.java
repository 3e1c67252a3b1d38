package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOption;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.dhcp.codec.Octets;
import dev.vmaddr.model.NetworkSpec;

import static dev.vmaddr.dhcp.codec.OptionCodes.*;

/**
 * Builds OFFER, ACK and NAK messages (RFC 2131 table 3) with the network's options (RFC 2132).
 * Always sent with a lease: 53, 54, 51, 58, 59, 1. Sent when the client's parameter request list (55)
 * names them, or, when it sent none, all that are configured except 121: 3, 6, 12, 15, 26, 28, 121.
 * A client that asks for 121 gets the default route in it as well, since RFC 3442 clients then ignore 3.
 * Echoed: 61 (RFC 6842) and 82 (RFC 3046), unchanged.
 */
final class ReplyFactory {
    private static final int[] DEFAULT_OPTIONAL = {ROUTERS, DNS_SERVERS, HOSTNAME, DOMAIN_NAME, INTERFACE_MTU, BROADCAST_ADDRESS};

    /** This factory's own: see {@link NetworkOptions.Cache}. */
    private final NetworkOptions.Cache options = new NetworkOptions.Cache();

    /** OFFER or ACK carrying a lease on {@code yiaddr}; ciaddr echoed for an ACK (RFC 2131 table 3). */
    DhcpMessage lease(DhcpMessageType type, DhcpMessage request, NetworkSpec net, Ipv4Address serverId,
                             Ipv4Address yiaddr, String hostname) {
        NetworkOptions n = options.of(net);
        DhcpOptions.Builder o = DhcpOptions.builder().option(NetworkOptions.messageType(type))
                .option(options.serverId(serverId))
                .option(n.leaseTime()).option(n.renewalTime()).option(n.rebindingTime()).option(n.subnetMask());
        configured(o, request, n, hostname);
        echo(o, request);
        return base(request).ciaddr(type == DhcpMessageType.ACK ? request.ciaddr() : Ipv4Address.ANY)
                .yiaddr(yiaddr).options(o.build()).build();
    }

    /**
     * ACK of a renewal that could not be written: the lease as stored, for the {@code remaining} time
     * it still has (never longer: the client must not hold it past what the store knows), with T1 and
     * T2 at the network's ratio of that time.
     */
    DhcpMessage cachedRenewal(DhcpMessage request, NetworkSpec net, Ipv4Address serverId, Ipv4Address yiaddr,
                                     String hostname, java.time.Duration remaining) {
        long lease = net.leaseTime().toSeconds();
        long left = Math.max(1, remaining.toSeconds());
        java.time.Duration t1 = java.time.Duration.ofSeconds(Math.max(1, net.effectiveRenewTime().toSeconds() * left / lease));
        java.time.Duration t2 = java.time.Duration.ofSeconds(Math.max(1, net.effectiveRebindTime().toSeconds() * left / lease));
        DhcpOptions.Builder o = DhcpOptions.builder().messageType(DhcpMessageType.ACK).option(options.serverId(serverId))
                .leaseTime(java.time.Duration.ofSeconds(left)).renewalTime(t1).rebindingTime(t2)
                .option(options.of(net).subnetMask());
        configured(o, request, options.of(net), hostname);
        echo(o, request);
        return base(request).ciaddr(request.ciaddr()).yiaddr(yiaddr).options(o.build()).build();
    }

    /** ACK to an INFORM: configuration only, no lease times, no yiaddr (RFC 2131 4.3.5). */
    DhcpMessage informAck(DhcpMessage request, NetworkSpec net, Ipv4Address serverId) {
        NetworkOptions n = options.of(net);
        DhcpOptions.Builder o = DhcpOptions.builder().option(NetworkOptions.messageType(DhcpMessageType.ACK))
                .option(options.serverId(serverId)).option(n.subnetMask());
        configured(o, request, n, null);
        echo(o, request);
        return base(request).ciaddr(request.ciaddr()).options(o.build()).build();
    }

    /** NAK; via a relay the broadcast bit is set so the relay broadcasts it (RFC 2131 4.3.2). */
    DhcpMessage nak(DhcpMessage request, Ipv4Address serverId, String why) {
        DhcpOptions.Builder o = DhcpOptions.builder().option(NetworkOptions.messageType(DhcpMessageType.NAK))
                .option(options.serverId(serverId)).message(why);
        echo(o, request);
        DhcpMessage.Builder b = base(request).options(o.build());
        if (!request.giaddr().isAny()) {
            b.flags(request.flags() | DhcpMessage.FLAG_BROADCAST);
        }
        return b.build();
    }

    private static DhcpMessage.Builder base(DhcpMessage request) {
        return DhcpMessage.builder().op(DhcpMessage.BOOTREPLY).hardware(request.htype(), request.chaddr())
                .xid(request.xid()).flags(request.flags()).giaddr(request.giaddr());
    }

    private static void echo(DhcpOptions.Builder o, DhcpMessage request) {
        // the request's own option objects, echoed unchanged (no Optional or method reference per reply)
        DhcpOption clientId = request.options().getOrNull(CLIENT_ID);
        if (clientId != null) {
            o.option(clientId);
        }
        DhcpOption relayAgentInfo = request.options().getOrNull(RELAY_AGENT_INFO);
        if (relayAgentInfo != null) {
            o.option(relayAgentInfo);
        }
    }

    private static void configured(DhcpOptions.Builder o, DhcpMessage request, NetworkOptions net, String hostname) {
        Octets prl = request.options().parameterRequestList();
        if (prl.isEmpty()) {
            for (int code : DEFAULT_OPTIONAL) {
                add(o, code, net, hostname);
            }
            return;
        }
        for (int i = 0; i < prl.length(); i++) {
            add(o, prl.get(i), net, hostname);
        }
    }

    private static void add(DhcpOptions.Builder o, int code, NetworkOptions net, String hostname) {
        DhcpOption option = switch (code) {
            case ROUTERS -> net.routers();
            case DNS_SERVERS -> net.dnsServers();
            case HOSTNAME -> {
                if (hostname != null && !hostname.isEmpty()) {
                    o.hostname(hostname);
                }
                yield null;
            }
            case DOMAIN_NAME -> net.domainName();
            case INTERFACE_MTU -> net.mtu();
            case BROADCAST_ADDRESS -> net.broadcastAddress();
            case CLASSLESS_ROUTES -> net.classlessRoutes();
            default -> null; // not something this server configures
        };
        if (option != null) {
            o.option(option);
        }
    }
}
