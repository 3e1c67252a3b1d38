package dev.vmaddr.serve;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.dhcp.transport.Datagram6;
import dev.vmaddr.dhcp.transport.InMemoryPacket6Transport;
import dev.vmaddr.dhcp.transport.Packet6Transport;
import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.codec.Dhcp6Message;
import dev.vmaddr.dhcp6.codec.Dhcp6Option;
import dev.vmaddr.dhcp6.codec.MalformedDhcp6Exception;
import java.time.Duration;
import java.util.List;

/**
 * DHCPv6 clients of the AOT training ({@link AotTraining}): perfdhcp -6-like exchanges on the
 * interface {@code lo} through in-memory sockets ({@link #sockets}: {@link InMemoryPacket6Transport}s),
 * so the cache holds the DHCPv6 path's classes and profiles too: SOLICIT-ADVERTISE-REQUEST-REPLY of
 * new clients, RENEWs that find their binding, RELEASEs, rapid commit through a relay, and garbage.
 * Not thread-safe: one caller.
 */
final class TrainingClients6 {
    private static final Ipv6Address ALL_SERVERS = Ipv6Address.parse("ff02::1:2");
    private static final Ipv6Address RELAY = Ipv6Address.parse("2001:db8:7::2");
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);

    private InMemoryPacket6Transport router = new InMemoryPacket6Transport();
    private InMemoryPacket6Transport dhcp6 = new InMemoryPacket6Transport();
    private final int ifIndex;
    private final byte[] linkAddress;
    /** Per client: the server id and IA_NA of its last REPLY (what a RENEW or RELEASE sends back). */
    private final byte[][] serverIds;
    private final byte[][] iaNas;
    private long answers;

    /** @param link an address in the training network's {@code ipv6Prefix}, for relayed clients */
    TrainingClients6(int ifIndex, Ipv6Address link, int clients) {
        this.ifIndex = ifIndex;
        this.linkAddress = bytes(link);
        this.serverIds = new byte[clients][];
        this.iaNas = new byte[clients][];
    }

    /** Fresh sockets for the next server (a stopped server closed the last ones). */
    Ipv6Service.Sockets sockets() {
        router = new InMemoryPacket6Transport();
        dhcp6 = new InMemoryPacket6Transport();
        InMemoryPacket6Transport r = router;
        InMemoryPacket6Transport d = dhcp6;
        return new Ipv6Service.Sockets() {
            @Override
            public Packet6Transport router() {
                return r;
            }

            @Override
            public Packet6Transport dhcp6() {
                return d;
            }
        };
    }

    long answers() {
        return answers;
    }

    /** New clients {@code [from, to)}: SOLICIT, then REQUEST of what was advertised. */
    void exchange(int from, int to) throws InterruptedException, MalformedDhcp6Exception {
        for (int i = from; i < to; i++) {
            inject(i, false, message(SOLICIT, i, List.of(clientId(i), elapsed(), oro(), iaNa(i))));
        }
        for (Dhcp6Message advertise : collect(to - from)) {
            int i = advertise.transactionId();
            Dhcp6Option server = advertise.option(OPTION_SERVERID);
            Dhcp6Option ia = advertise.option(OPTION_IA_NA);
            if (server != null && ia != null) {
                inject(i, false, message(REQUEST, i, List.of(clientId(i), server, elapsed(), oro(), ia)));
            }
        }
        remember(collect(to - from));
    }

    /** RENEW (or RELEASE) of clients {@code [from, to)} that hold a binding. */
    void renew(int from, int to, int type) throws InterruptedException, MalformedDhcp6Exception {
        int sent = 0;
        for (int i = from; i < to; i++) {
            if (iaNas[i] != null) {
                inject(i, false, message(type, i, List.of(clientId(i), new Dhcp6Option(OPTION_SERVERID, serverIds[i]),
                        elapsed(), new Dhcp6Option(OPTION_IA_NA, iaNas[i]))));
                sent++;
            }
        }
        List<Dhcp6Message> replies = collect(sent);
        if (type == RELEASE) {
            for (int i = from; i < to; i++) {
                iaNas[i] = null;
            }
        } else {
            remember(replies);
        }
    }

    /** Rapid-commit SOLICITs of clients {@code [from, to)} through a relay on the network's link. */
    void relayedRapidCommit(int from, int to) throws InterruptedException, MalformedDhcp6Exception {
        for (int i = from; i < to; i++) {
            byte[] inner = message(SOLICIT, i, List.of(clientId(i), elapsed(), new Dhcp6Option(OPTION_RAPID_COMMIT, new byte[0]),
                    iaNa(i)));
            inject(i, true, Dhcp6Codec.encode(Dhcp6Message.relay(RELAY_FORW, 0, linkAddress, bytes(source(i)),
                    List.of(new Dhcp6Option(OPTION_INTERFACE_ID, new byte[] {1}), new Dhcp6Option(OPTION_RELAY_MSG, inner)))));
        }
        collect(to - from);
    }

    /** Datagrams on port 547 that are not DHCPv6 (counted as malformed, never answered). */
    void garbage(int n) {
        for (int i = 0; i < n; i++) {
            byte[] junk = new byte[1 + i % 40];
            junk[0] = (byte) (i % 3 == 0 ? RELAY_FORW : SOLICIT);
            dhcp6.deliver(new Datagram6(ifIndex, source(i), 546, ALL_SERVERS, junk));
        }
    }

    private void remember(List<Dhcp6Message> replies) {
        for (Dhcp6Message r : replies) {
            Dhcp6Option server = r.option(OPTION_SERVERID);
            Dhcp6Option ia = r.option(OPTION_IA_NA);
            if (server != null && ia != null && r.transactionId() < iaNas.length) {
                serverIds[r.transactionId()] = server.data();
                iaNas[r.transactionId()] = ia.data();
            }
        }
    }

    /** Up to {@code n} answers, unwrapped from RELAY-REPL; fewer when the server stops answering. */
    private List<Dhcp6Message> collect(int n) throws InterruptedException, MalformedDhcp6Exception {
        List<Dhcp6Message> out = new java.util.ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            InMemoryPacket6Transport.Sent a = dhcp6.awaitSent(ANSWER_WAIT);
            if (a == null) {
                break;
            }
            Dhcp6Message m = Dhcp6Codec.decode(a.data());
            out.add(m.type() == RELAY_REPL ? Dhcp6Codec.relayed(m, 0) : m);
            answers++;
        }
        router.drainSent(); // router advertisements: not looked at
        return out;
    }

    private void inject(int client, boolean relayed, byte[] payload) {
        dhcp6.deliver(new Datagram6(ifIndex, relayed ? RELAY : source(client), relayed ? 547 : 546,
                relayed ? Ipv6Address.parse("2001:db8:7::1") : ALL_SERVERS, payload));
    }

    /** The transaction id is the client's number: answers are matched to clients by it. */
    private static byte[] message(int type, int client, List<Dhcp6Option> options) {
        return Dhcp6Codec.encode(Dhcp6Message.of(type, client & 0xFFFFFF, options));
    }

    private static Dhcp6Option clientId(int client) {
        byte[] duid = {0, 3, 0, 1, 0x0e, 0, 0, 0, 0, 0}; // DUID-LL, Ethernet
        long mac = client;
        for (int i = 0; i < 4; i++) {
            duid[9 - i] = (byte) (mac >>> (8 * i));
        }
        return new Dhcp6Option(OPTION_CLIENTID, duid);
    }

    private static Dhcp6Option elapsed() {
        return new Dhcp6Option(OPTION_ELAPSED_TIME, new byte[2]);
    }

    private static Dhcp6Option oro() {
        return new Dhcp6Option(OPTION_ORO, new byte[] {0, (byte) OPTION_DNS_SERVERS, 0, (byte) OPTION_DOMAIN_LIST});
    }

    private static Dhcp6Option iaNa(int client) {
        return Dhcp6Codec.iaNaOption(new Dhcp6Codec.IaNa(client & 0xFFFFFFFFL, 0, 0, List.of()));
    }

    private static Ipv6Address source(int client) {
        return new Ipv6Address(0xfe80_0000_0000_0000L, 0x0c00_00ff_fe00_0000L | (client & 0xFFFFFFL));
    }

    private static byte[] bytes(Ipv6Address a) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (a.high() >>> (56 - 8 * i));
            b[i + 8] = (byte) (a.low() >>> (56 - 8 * i));
        }
        return b;
    }
}
