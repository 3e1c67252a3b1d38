package dev.vmaddr.dhcp6.protocol;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.codec.Dhcp6Message;
import dev.vmaddr.dhcp6.codec.Dhcp6Option;
import dev.vmaddr.dhcp6.codec.MalformedDhcp6Exception;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.NetworkSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * RFC 8415 server logic: bytes of one message in, the bytes of the answer out, no I/O. Relayed
 * messages (RELAY-FORW) are unwrapped, the network chosen by the innermost relay's link-address,
 * and the answer wrapped back in RELAY-REPL with the same hop count, addresses and interface-id.
 * In {@code slaac} mode only INFORMATION-REQUEST is answered. Thread-safe: no state of its own.
 */
public final class Dhcp6Protocol {
    private final Lease6Operations leases;
    private final Duid serverDuid;
    /** The server id option's data, decoded once: compared with every REQUEST's and put in every answer (not changed). */
    private final byte[] serverIdBytes;
    private final Dhcp6Events events;

    /** An answer: its bytes, and whether it goes back to a relay (port 547) or to the client (546). */
    public record Answer(byte[] payload, boolean toRelay) {}

    public Dhcp6Protocol(Lease6Operations leases, Duid serverDuid, Dhcp6Events events) {
        this.leases = leases;
        this.serverDuid = serverDuid;
        this.serverIdBytes = serverDuid.toBytes();
        this.events = events;
    }

    /**
     * @param direct the network of the interface it arrived on (null when that interface serves none)
     * @return the answer, or empty when the message gets none (counted in the events)
     */
    public Optional<Answer> handle(byte[] payload, NetworkSpec direct) {
        Dhcp6Message m;
        try {
            m = Dhcp6Codec.decode(payload);
            if (m.type() == RELAY_FORW) {
                return relayed(m, direct);
            }
            events.received(m.type());
            if (direct == null) {
                events.dropped("no-network");
                return Optional.empty();
            }
            return answer(m, direct, null).map(r -> new Answer(Dhcp6Codec.encode(r), false));
        } catch (MalformedDhcp6Exception e) {
            events.malformed(e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Answer> relayed(Dhcp6Message outer, NetworkSpec direct) throws MalformedDhcp6Exception {
        List<Dhcp6Message> chain = new ArrayList<>();
        Dhcp6Message inner = outer;
        while (inner.type() == RELAY_FORW) {
            if (chain.size() >= HOP_COUNT_LIMIT + 1) {
                throw new MalformedDhcp6Exception("relay chain longer than " + HOP_COUNT_LIMIT);
            }
            chain.add(inner);
            inner = Dhcp6Codec.relayed(inner, chain.size());
        }
        events.received(inner.type());
        // The relay closest to the client names its link; a zero link-address (RFC 8415 19.1.1) defers outwards.
        NetworkSpec network = null;
        MacAddress mac = null;
        for (int i = chain.size() - 1; i >= 0 && network == null; i--) {
            Ipv6Address link = Ipv6Address.fromBytes(chain.get(i).linkAddress());
            if (link.high() != 0 || link.low() != 0) {
                network = leases.networkForLinkAddress(link).orElse(null);
                if (network == null) {
                    events.dropped("no-network-for-link");
                    return Optional.empty();
                }
            }
        }
        if (network == null) {
            network = direct;
        }
        Dhcp6Option ll = chain.getLast().option(OPTION_CLIENT_LINKLAYER_ADDR);
        if (ll != null && ll.data().length == 8 && ll.data()[0] == 0 && ll.data()[1] == 1) {
            mac = MacAddress.fromBytes(ll.data(), 2);
        }
        if (network == null) {
            events.dropped("no-network");
            return Optional.empty();
        }
        Optional<Dhcp6Message> reply = answer(inner, network, mac);
        if (reply.isEmpty()) {
            return Optional.empty();
        }
        byte[] wrapped = Dhcp6Codec.encode(reply.get());
        for (int i = chain.size() - 1; i >= 0; i--) {
            Dhcp6Message r = chain.get(i);
            List<Dhcp6Option> opts = new ArrayList<>();
            Dhcp6Option ifId = r.option(OPTION_INTERFACE_ID);
            if (ifId != null) {
                opts.add(ifId);
            }
            opts.add(new Dhcp6Option(OPTION_RELAY_MSG, wrapped));
            wrapped = Dhcp6Codec.encode(Dhcp6Message.relay(RELAY_REPL, r.hopCount(), r.linkAddress(), r.peerAddress(), opts));
        }
        return Optional.of(new Answer(wrapped, true));
    }

    private Optional<Dhcp6Message> answer(Dhcp6Message m, NetworkSpec n, MacAddress relayMac) throws MalformedDhcp6Exception {
        Dhcp6Option clientId = m.option(OPTION_CLIENTID);
        Dhcp6Option serverId = m.option(OPTION_SERVERID);
        Duid duid = clientId == null ? null : duid(clientId);
        MacAddress mac = relayMac != null ? relayMac : duid == null ? null : Duid.linkLayerAddress(clientId.data());
        boolean ours = serverId != null && Arrays.equals(serverId.data(), serverIdBytes);
        int type = m.type();
        if (type == INFORMATION_REQUEST) {
            if (serverId != null && !ours || m.option(OPTION_IA_NA) != null) {
                return drop("information-request-invalid");
            }
            return Optional.of(reply(REPLY, m, n, List.of()));
        }
        if (n.ipv6Mode() == Ipv6Mode.SLAAC) {
            return drop("slaac-only");
        }
        if (duid == null) {
            return drop("no-client-id");
        }
        switch (type) {
            case SOLICIT -> {
                if (serverId != null) {
                    return drop("solicit-with-server-id");
                }
                boolean rapid = m.option(OPTION_RAPID_COMMIT) != null;
                List<Dhcp6Option> ias = new ArrayList<>();
                for (Dhcp6Option o : m.all(OPTION_IA_NA)) {
                    Dhcp6Codec.IaNa ia = Dhcp6Codec.iaNa(o);
                    Optional<Lease6> l = rapid ? leases.bind(n, duid, ia.iaid(), mac, hint(ia))
                            : leases.offer(n, duid, ia.iaid(), mac, hint(ia));
                    l.filter(x -> rapid).ifPresent(events::bound);
                    ias.add(ia(n, ia.iaid(), l.orElse(null), List.of()));
                }
                if (ias.isEmpty()) {
                    ias.add(Dhcp6Codec.statusOption(STATUS_NO_ADDRS_AVAIL, "only IA_NA is served"));
                }
                if (rapid) {
                    ias.add(new Dhcp6Option(OPTION_RAPID_COMMIT, new byte[0]));
                    return Optional.of(reply(REPLY, m, n, ias));
                }
                return Optional.of(reply(ADVERTISE, m, n, ias));
            }
            case REQUEST, RENEW, REBIND -> {
                if (type == REBIND ? serverId != null : !ours) {
                    return drop("server-id-mismatch");
                }
                List<Dhcp6Option> ias = new ArrayList<>();
                for (Dhcp6Option o : m.all(OPTION_IA_NA)) {
                    Dhcp6Codec.IaNa ia = Dhcp6Codec.iaNa(o);
                    Optional<Lease6> l = leases.bind(n, duid, ia.iaid(), mac, hint(ia));
                    l.ifPresent(events::bound);
                    // Addresses the client still has that it does not get (now) are withdrawn: lifetimes 0.
                    List<Dhcp6Option> gone = new ArrayList<>();
                    for (byte[] a : addresses(ia)) {
                        if (l.isEmpty() || !Ipv6Address.fromBytes(a).equals(l.get().ip())) {
                            gone.add(Dhcp6Codec.iaAddressOption(new Dhcp6Codec.IaAddress(a, 0, 0, List.of())));
                        }
                    }
                    ias.add(ia(n, ia.iaid(), l.orElse(null), gone));
                }
                return Optional.of(reply(REPLY, m, n, ias));
            }
            case RELEASE, DECLINE -> {
                if (!ours) {
                    return drop("server-id-mismatch");
                }
                for (Dhcp6Option o : m.all(OPTION_IA_NA)) {
                    Dhcp6Codec.IaNa ia = Dhcp6Codec.iaNa(o);
                    for (byte[] a : addresses(ia)) {
                        Ipv6Address ip = Ipv6Address.fromBytes(a);
                        if (type == RELEASE) {
                            leases.release(n, duid, ia.iaid(), ip).ifPresent(events::released);
                        } else {
                            leases.decline(n, duid, ia.iaid(), ip).ifPresent(events::declined);
                        }
                    }
                }
                return Optional.of(reply(REPLY, m, n, List.of(Dhcp6Codec.statusOption(STATUS_SUCCESS,
                        type == RELEASE ? "released" : "declined"))));
            }
            case CONFIRM -> {
                if (serverId != null) {
                    return drop("confirm-with-server-id");
                }
                boolean any = false;
                boolean onLink = true;
                for (Dhcp6Option o : m.all(OPTION_IA_NA)) {
                    for (byte[] a : addresses(Dhcp6Codec.iaNa(o))) {
                        any = true;
                        onLink &= n.ipv6Prefix().contains(Ipv6Address.fromBytes(a));
                    }
                }
                if (!any) {
                    return drop("confirm-without-addresses");
                }
                return Optional.of(reply(REPLY, m, n, List.of(onLink
                        ? Dhcp6Codec.statusOption(STATUS_SUCCESS, "on link")
                        : Dhcp6Codec.statusOption(STATUS_NOT_ON_LINK, "not on this link"))));
            }
            default -> {
                return drop("unexpected-type-" + typeName(type));
            }
        }
    }

    private Optional<Dhcp6Message> drop(String reason) {
        events.dropped(reason);
        return Optional.empty();
    }

    private Dhcp6Message reply(int type, Dhcp6Message request, NetworkSpec n, List<Dhcp6Option> body) {
        List<Dhcp6Option> opts = new ArrayList<>(4 + body.size());
        opts.add(new Dhcp6Option(OPTION_SERVERID, serverIdBytes));
        Dhcp6Option clientId = request.option(OPTION_CLIENTID);
        if (clientId != null) {
            opts.add(clientId);
        }
        opts.addAll(body);
        if (!n.ipv6Dns().isEmpty()) {
            byte[] d = new byte[16 * n.ipv6Dns().size()];
            for (int i = 0; i < n.ipv6Dns().size(); i++) {
                put(d, 16 * i, n.ipv6Dns().get(i));
            }
            opts.add(new Dhcp6Option(OPTION_DNS_SERVERS, d));
        }
        if (n.domain() != null) {
            opts.add(new Dhcp6Option(OPTION_DOMAIN_LIST, dnsName(n.domain())));
        }
        events.sent(type);
        return Dhcp6Message.of(type, request.transactionId(), opts);
    }

    /** An IA_NA answer: the address with the network's timers, or NoAddrsAvail; plus withdrawn addresses. */
    private static Dhcp6Option ia(NetworkSpec n, long iaid, Lease6 lease, List<Dhcp6Option> withdrawn) {
        List<Dhcp6Option> inner = new ArrayList<>();
        if (lease != null) {
            byte[] a = new byte[16];
            put(a, 0, lease.ip());
            inner.add(Dhcp6Codec.iaAddressOption(new Dhcp6Codec.IaAddress(a, n.effectiveRebindTime().toSeconds(),
                    n.leaseTime().toSeconds(), List.of())));
        }
        inner.addAll(withdrawn);
        if (lease == null) {
            inner.add(Dhcp6Codec.statusOption(STATUS_NO_ADDRS_AVAIL, "no address available"));
        }
        long t1 = lease == null ? 0 : n.effectiveRenewTime().toSeconds();
        long t2 = lease == null ? 0 : n.effectiveRebindTime().toSeconds();
        return Dhcp6Codec.iaNaOption(new Dhcp6Codec.IaNa(iaid, t1, t2, inner));
    }

    private static Ipv6Address hint(Dhcp6Codec.IaNa ia) throws MalformedDhcp6Exception {
        List<byte[]> a = addresses(ia);
        return a.isEmpty() ? null : Ipv6Address.fromBytes(a.getFirst());
    }

    private static List<byte[]> addresses(Dhcp6Codec.IaNa ia) throws MalformedDhcp6Exception {
        List<byte[]> out = new ArrayList<>();
        for (Dhcp6Option o : ia.options()) {
            if (o.code() == OPTION_IAADDR) {
                out.add(Dhcp6Codec.iaAddress(o).address());
            }
        }
        return out;
    }

    private static Duid duid(Dhcp6Option clientId) throws MalformedDhcp6Exception {
        if (clientId.data().length < 3 || clientId.data().length > Duid.MAX_BYTES) {
            throw new MalformedDhcp6Exception("client id of " + clientId.data().length + " bytes");
        }
        return Duid.of(clientId.data(), 0, clientId.data().length);
    }

    private static void put(byte[] d, int at, Ipv6Address a) {
        for (int i = 0; i < 8; i++) {
            d[at + i] = (byte) (a.high() >>> (56 - 8 * i));
            d[at + 8 + i] = (byte) (a.low() >>> (56 - 8 * i));
        }
    }

    /** A domain name in DNS wire format (RFC 1035 3.1), as option 24 carries it. */
    private static byte[] dnsName(String domain) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String label : domain.split("\\.")) {
            if (label.isEmpty() || label.length() > 63) {
                continue;
            }
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        out.write(0);
        return out.toByteArray();
    }
}
