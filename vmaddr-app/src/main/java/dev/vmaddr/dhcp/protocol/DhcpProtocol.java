package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.ClientAccess;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * RFC 2131 server behaviour: one request in, at most one reply out, no I/O of its own.
 *
 * <p>Threading: {@link #handle} is safe to call from many threads at once; it keeps no per-request
 * state and the engine serialises what must be serialised. It may block in two places: in the
 * engine's {@code bind} until the lease is durable, unless the caller runs it in a
 * {@code DeferredDurability} scope (then {@code bind} returns at once and the store sends the ACK
 * after the fsync), and, for the first offer of an address, on the conflict probe's future (at most
 * {@code probeTimeout} per candidate). The server chooses its dispatch from that
 * ({@code DhcpServer.Dispatch}): the receiver thread runs this inline when neither can block, and
 * otherwise each packet gets its own virtual thread, so a waiting probe or fsync never holds up
 * other clients.
 */
public final class DhcpProtocol {
    // Drop details are constants: a flood is dropped without building a string per packet.
    private static final String UNKNOWN_CLIENT_DETAIL = "not a client vmaddr knows on a clients: known network";
    private static final String NEW_CLIENT_RATE_DETAIL = "new clients beyond the interface's rate";
    private static final String OFFERS_IN_FLIGHT_DETAIL = "offers to new clients at the interface's cap";
    private final LeaseOperations leases;
    private final DhcpServerSettings settings;
    private final DhcpEvents events;
    private final Discovery discovery;
    private final ClientPolicy clients;
    private final NewClientGuard guard;
    private final Clock clock;
    private final ReplyFactory replies = new ReplyFactory();

    /** With no guard against floods of new clients, and a policy that knows nobody (tests). */
    public DhcpProtocol(LeaseOperations leases, DhcpServerSettings settings, ConflictProbe probe, DhcpEvents events,
                        Clock clock) {
        this(leases, settings, probe, events, clock, ClientPolicy.NOBODY,
                new NewClientGuard(NewClientGuard.Limits.NONE, settings.offerHold(), clock));
    }

    /**
     * @param clients who is known: {@code clients: known} networks answer only them, and the guard never holds them back
     * @param guard   the per-interface limits on new clients
     */
    public DhcpProtocol(LeaseOperations leases, DhcpServerSettings settings, ConflictProbe probe, DhcpEvents events,
                        Clock clock, ClientPolicy clients, NewClientGuard guard) {
        this.leases = Objects.requireNonNull(leases, "leases");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = Objects.requireNonNull(events, "events");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.discovery = new Discovery(leases, settings, probe, events, new ProbedAddresses(clock, settings.probedFreshFor()));
    }

    /** The request as this class sees it once the network and the client are known. */
    record Incoming(DhcpMessage msg, ReceiveContext ctx, NetworkSpec net, Ipv4Address serverId, MacAddress mac,
                    ClientId clientId) {
        HolderKey holder() {
            return HolderKey.of(clientId, mac);
        }

        String clientHostname() {
            return msg.options().hostname().map(Hostnames::sanitize).orElse(null);
        }

        AllocationRequest allocation(Ipv4Address requested) {
            return new AllocationRequest(mac, clientId, requested, clientHostname(), net.leaseTime());
        }

        /** Reservation name first, then what the lease remembers, then what the client said. */
        String replyHostname(Lease lease) {
            for (Reservation r : net.reservations()) {
                if (r.matches(mac, clientId) && r.hostname() != null) {
                    return r.hostname();
                }
            }
            return lease != null && lease.hostname() != null ? lease.hostname() : clientHostname();
        }
    }

    public Optional<Reply> handle(DhcpMessage request, ReceiveContext ctx) {
        DhcpMessageType type = request.messageType().orElse(null);
        events.received(type, ctx);
        if (request.op() != DhcpMessage.BOOTREQUEST) {
            return drop(DropReason.NOT_A_REQUEST, "op " + request.op());
        }
        if (type == null) {
            return drop(DropReason.NO_MESSAGE_TYPE, "no DHCP message type");
        }
        MacAddress mac = request.mac();
        if (mac == null) {
            return drop(DropReason.NOT_ETHERNET, "htype " + request.htype() + " hlen " + request.hlen());
        }
        Optional<NetworkSpec> net = selectNetwork(request, ctx);
        if (net.isEmpty()) {
            return drop(DropReason.UNKNOWN_NETWORK, "giaddr " + request.giaddr() + " ciaddr " + request.ciaddr()
                    + " interface " + ctx.interfaceName());
        }
        Ipv4Address serverId = settings.serverId() != null ? settings.serverId() : ctx.interfaceAddress();
        if (serverId == null || serverId.isAny()) {
            return drop(DropReason.NO_SERVER_ID, "interface " + ctx.interfaceName() + " has no address");
        }
        ClientId clientId = net.get().effectiveClientId(request.options().clientId()
                .map(id -> ClientId.of(id.toByteArray(), 0, id.length())).orElse(null));
        Incoming in = new Incoming(request, ctx, net.get(), serverId, mac, clientId);
        if (in.net().clients() == ClientAccess.KNOWN && !clients.knows(in.net(), mac, clientId)) {
            return drop(DropReason.UNKNOWN_CLIENT, UNKNOWN_CLIENT_DETAIL);
        }
        try {
            Optional<Reply> reply = switch (type) {
                case DISCOVER -> discover(in);
                case REQUEST -> new Requests(in).handle();
                case DECLINE -> decline(in);
                case RELEASE -> release(in);
                case INFORM -> Optional.of(send(in, replies.informAck(request, in.net(), serverId)));
                case OFFER, ACK, NAK -> drop(DropReason.NOT_A_REQUEST, type.name());
            };
            reply.ifPresent(events::sent);
            return reply;
        } catch (AllocationException e) {
            return drop(e.reason() == AllocationException.Reason.STORE_UNAVAILABLE ? DropReason.STORE_UNAVAILABLE
                    : e.reason() == AllocationException.Reason.EXHAUSTED ? DropReason.EXHAUSTED : DropReason.REFUSED,
                    type + " " + e.reason() + ": " + e.getMessage());
        }
    }

    /**
     * DISCOVER, through the new-client guard on {@code clients: any} networks (on {@code known} ones
     * every client that gets this far is known). The guard is asked first; only a client it refuses
     * costs a policy lookup, and a known client is served anyway (see {@link NewClientGuard}).
     */
    private Optional<Reply> discover(Incoming in) {
        boolean guarded = false;
        if (in.net().clients() == ClientAccess.ANY) {
            DropReason held = guard.admit(in.ctx().interfaceName(), in.mac());
            if (held != null && !clients.knows(in.net(), in.mac(), in.clientId())) {
                return drop(held, held == DropReason.NEW_CLIENT_RATE ? NEW_CLIENT_RATE_DETAIL : OFFERS_IN_FLIGHT_DETAIL);
            }
            guarded = held == null;
        }
        Optional<Lease> offered = Optional.empty();
        try {
            offered = discovery.offer(in);
        } finally {
            if (guarded && offered.isEmpty()) {
                guard.settled(in.ctx().interfaceName(), in.mac()); // no offer went out: its slot is free
            }
        }
        return offered.map(lease -> send(in, replies.lease(DhcpMessageType.OFFER, in.msg(), in.net(),
                in.serverId(), lease.ip(), in.replyHostname(lease))));
    }

    /** giaddr picks the relay's network; else ciaddr (a renewal unicast from a relayed client); else the interface. */
    private Optional<NetworkSpec> selectNetwork(DhcpMessage request, ReceiveContext ctx) {
        if (!request.giaddr().isAny()) {
            return leases.networkForRelay(request.giaddr());
        }
        if (!request.ciaddr().isAny()) {
            Optional<NetworkSpec> byClient = leases.networkContaining(request.ciaddr());
            if (byClient.isPresent()) {
                return byClient;
            }
        }
        Optional<NetworkSpec> byInterface = ctx.interfaceName() == null ? Optional.empty()
                : leases.networkForInterface(ctx.interfaceName());
        if (byInterface.isEmpty() && ctx.interfaceAddress() != null && !ctx.interfaceAddress().isAny()) {
            return leases.networkContaining(ctx.interfaceAddress());
        }
        return byInterface;
    }

    private Reply send(Incoming in, DhcpMessage reply) {
        return ReplyRouting.route(in.msg(), reply, reply.messageType().orElseThrow(), in.ctx());
    }

    private Optional<Reply> drop(DropReason reason, String detail) {
        events.dropped(reason, detail);
        return Optional.empty();
    }

    private boolean forOtherServer(Incoming in) {
        return in.msg().options().serverId().map(id -> !id.equals(in.serverId())).orElse(false);
    }

    private Optional<Reply> decline(Incoming in) {
        if (forOtherServer(in)) {
            return drop(DropReason.OTHER_SERVER, "DECLINE for " + in.msg().options().serverId().orElseThrow());
        }
        Optional<Ipv4Address> ip = in.msg().options().requestedIp();
        if (ip.isEmpty()) {
            return drop(DropReason.MISSING_ADDRESS, "DECLINE without option 50");
        }
        events.lease(LeaseEvent.DECLINED, leases.decline(in.net().name(), in.holder(), ip.get()));
        return Optional.empty();
    }

    private Optional<Reply> release(Incoming in) {
        if (forOtherServer(in)) {
            return drop(DropReason.OTHER_SERVER, "RELEASE for " + in.msg().options().serverId().orElseThrow());
        }
        if (in.msg().ciaddr().isAny()) {
            return drop(DropReason.MISSING_ADDRESS, "RELEASE with ciaddr 0");
        }
        leases.release(in.net().name(), in.holder(), in.msg().ciaddr())
                .ifPresent(lease -> events.lease(LeaseEvent.RELEASED, lease));
        return Optional.empty();
    }

    /** The four REQUEST states of RFC 2131 4.3.2, told apart by server id, option 50 and ciaddr. */
    private final class Requests {
        private final Incoming in;
        private final DhcpMessage msg;

        Requests(Incoming in) {
            this.in = in;
            this.msg = in.msg();
        }

        Optional<Reply> handle() {
            Optional<Ipv4Address> serverId = msg.options().serverId();
            Optional<Ipv4Address> requested = msg.options().requestedIp();
            if (serverId.isPresent()) {
                return selecting(serverId.get(), requested.orElse(msg.ciaddr()));
            }
            if (!msg.ciaddr().isAny()) {
                boolean rebinding = in.ctx().receivedAsBroadcast();
                return renewing(msg.ciaddr(), rebinding ? settings.authoritative() : true);
            }
            if (requested.isPresent()) {
                return verify(requested.get(), settings.authoritative(), "INIT-REBOOT");
            }
            return drop(DropReason.MISSING_ADDRESS, "REQUEST without server id, option 50 or ciaddr");
        }

        private Optional<Reply> selecting(Ipv4Address chosenServer, Ipv4Address ip) {
            if (!chosenServer.equals(in.serverId())) {
                // The client took another server's offer: give our held address back now.
                leases.leaseOf(in.net().name(), in.holder())
                        .filter(l -> l.state() == LeaseState.OFFERED)
                        .flatMap(l -> leases.release(in.net().name(), in.holder(), l.ip()))
                        .ifPresent(l -> events.lease(LeaseEvent.OFFER_RETRACTED, l));
                return drop(DropReason.OTHER_SERVER, "client chose " + chosenServer);
            }
            if (ip.isAny()) {
                return drop(DropReason.MISSING_ADDRESS, "SELECTING REQUEST without option 50");
            }
            return bind(ip, true, LeaseEvent.BOUND);
        }

        /** RENEWING (unicast) or REBINDING (broadcast): the client names its address in ciaddr. */
        private Optional<Reply> renewing(Ipv4Address ip, boolean mayNak) {
            return verify(ip, mayNak, "RENEW");
        }

        /** INIT-REBOOT, RENEWING, REBINDING: ACK only if the address is this client's lease. */
        private Optional<Reply> verify(Ipv4Address ip, boolean mayNak, String state) {
            if (!in.net().cidr().contains(ip)) {
                return nak(mayNak, state + ": " + ip + " is not in " + in.net().cidr());
            }
            Optional<Lease> current = leases.clientLease(in.net().name(), in.allocation(ip));
            if (current.isEmpty()) {
                return nak(mayNak, state + ": no lease for " + in.holder());
            }
            if (!current.get().ip().equals(ip)) {
                return nak(mayNak, state + ": " + ip + " is not the lease of " + in.holder());
            }
            LeaseEvent event = current.get().state() == LeaseState.BOUND ? LeaseEvent.RENEWED : LeaseEvent.BOUND;
            return bind(ip, mayNak, event);
        }

        private Optional<Reply> bind(Ipv4Address ip, boolean mayNak, LeaseEvent event) {
            Lease lease;
            try {
                lease = leases.bind(in.net().name(), in.allocation(ip), ip);
            } catch (AllocationException e) {
                if (e.reason() == AllocationException.Reason.STORE_UNAVAILABLE) {
                    if (event == LeaseEvent.RENEWED) {
                        Optional<Reply> cached = renewFromCache(ip);
                        if (cached.isPresent()) {
                            return cached;
                        }
                    }
                    throw e; // never NAK because of our own store: the client retries
                }
                return nak(mayNak, e.reason() + ": " + e.getMessage());
            }
            events.lease(event, lease);
            guard.settled(in.ctx().interfaceName(), in.mac()); // bound: no longer an offer in flight
            return Optional.of(send(in, replies.lease(DhcpMessageType.ACK, msg, in.net(), in.serverId(),
                    lease.ip(), in.replyHostname(lease))));
        }

        /**
         * The store cannot write (PostgreSQL away, disk full): a client renewing a lease it still holds
         * keeps it for the time the stored lease has left (nothing new is granted, so nothing is lost
         * if the server dies); a new client, or a lease run out, is refused (counted as
         * STORE_UNAVAILABLE by the caller).
         */
        private Optional<Reply> renewFromCache(Ipv4Address ip) {
            Optional<Lease> stored = leases.clientLease(in.net().name(), in.allocation(ip));
            if (stored.isEmpty() || stored.get().state() != LeaseState.BOUND || !stored.get().ip().equals(ip)) {
                return Optional.empty();
            }
            java.time.Duration left = java.time.Duration.between(clock.instant(), stored.get().expiresAt());
            if (left.toSeconds() < 1) {
                return Optional.empty();
            }
            events.lease(LeaseEvent.RENEWED_FROM_CACHE, stored.get());
            return Optional.of(send(in, replies.cachedRenewal(msg, in.net(), in.serverId(), ip,
                    in.replyHostname(stored.get()), left)));
        }

        private Optional<Reply> nak(boolean mayNak, String why) {
            if (!mayNak) {
                return drop(DropReason.NOT_AUTHORITATIVE, why);
            }
            events.nak(in.net().name(), why);
            return Optional.of(send(in, replies.nak(msg, in.serverId(), truncate(why))));
        }

        private static String truncate(String s) {
            return s.length() > 200 ? s.substring(0, 200) : s;
        }
    }
}
