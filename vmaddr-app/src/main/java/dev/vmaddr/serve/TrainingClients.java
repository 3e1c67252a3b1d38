package dev.vmaddr.serve;

import static dev.vmaddr.serve.TrainingPackets.*;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.dhcp.codec.Octets;
import dev.vmaddr.dhcp.transport.Datagram;
import dev.vmaddr.dhcp.transport.InMemoryTransport;
import java.net.Inet4Address;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Synthetic DHCP clients behind a relay, for {@link AotTraining} and {@link DhcpWarmup}: they speak to
 * the real server through a {@link Link} (the in-memory transport, or a socket on loopback), in waves
 * (every client of a wave sends, then the wave's replies are collected), so the server sees batches
 * like a loaded network's and its store commits groups.
 *
 * <p>Packets are built once per kind with the real encoder and then only patched (chaddr, xid,
 * requested address, ciaddr), so the client side costs little and does not shape the encoder's
 * profile beyond what the server's own replies do. Four client families, as real networks have
 * them: bare (message type and parameter list only), dhclient-like (hostname, maximum message size),
 * systemd-networkd-like (a client identifier and a hostname) and perfdhcp-like (a client identifier,
 * no hostname: a server trained without that pair trapped in the lease encoding at perfdhcp's first
 * request).
 */
final class TrainingClients {
    static final Ipv4Address RELAY = Ipv4Address.parse("198.19.255.254");
    private static final int FAMILIES = 4;
    private static final Duration REPLY_WAIT = Duration.ofSeconds(10);

    /** Where the clients' requests go and the server's replies come from. */
    interface Link {
        void send(byte[] request) throws IOException;

        /** The next reply the server sent, or null when none came within {@code wait}. */
        byte[] awaitReply(Duration wait) throws IOException, InterruptedException;

        /** The most requests sent before their replies are read (a socket's receive buffers hold that many). */
        int maxWave();
    }

    /** The in-memory transport's link: requests arrive on {@code ifIndex} from the relay {@link #RELAY}, to {@code server}. */
    static Link inMemory(InMemoryTransport transport, int ifIndex, Ipv4Address server) {
        InetSocketAddress relay = new InetSocketAddress(RELAY.toInetAddress(), 67);
        Inet4Address to = server.toInetAddress();
        return new Link() {
            @Override
            public void send(byte[] request) {
                transport.deliver(new Datagram(ifIndex, relay, to, request));
            }

            @Override
            public byte[] awaitReply(Duration wait) throws InterruptedException {
                InMemoryTransport.Sent s = transport.awaitSent(wait);
                return s == null ? null : s.data();
            }

            @Override
            public int maxWave() {
                return Integer.MAX_VALUE;
            }
        };
    }

    private Link link;
    /** [family][kind] packet templates; kinds below. */
    private final byte[][][] templates = new byte[FAMILIES][][];
    private final int[][] requestedOffset = new int[FAMILIES][];
    private final int[] clientIdOffset = new int[FAMILIES];
    /** The address each client was last given (by client number), 0 when none. */
    private final int[] addressOf;
    private int xid = 1;
    private long replies;
    private long naks;

    static final int DISCOVER = 0;
    static final int SELECTING = 1;
    static final int INIT_REBOOT = 2;
    static final int REBINDING = 3;
    static final int RELEASE = 4;
    static final int INFORM = 5;
    static final int DECLINE = 6;

    /**
     * @param giaddr the relay address the requests carry
     * @param server the server's address, named in the requests that name one (option 54)
     */
    TrainingClients(Link link, Ipv4Address giaddr, Ipv4Address server, int clients) {
        this.link = link;
        this.addressOf = new int[clients];
        Ipv4Address marker = Ipv4Address.parse("198.18.254.254");
        for (int f = 0; f < FAMILIES; f++) {
            int family = f;
            byte[][] t = new byte[7][];
            t[DISCOVER] = packet(family, giaddr, DhcpMessageType.DISCOVER, null, o -> { });
            t[SELECTING] = packet(family, giaddr, DhcpMessageType.REQUEST, null, o -> o.requestedIp(marker).serverId(server));
            t[INIT_REBOOT] = packet(family, giaddr, DhcpMessageType.REQUEST, null, o -> o.requestedIp(marker));
            t[REBINDING] = packet(family, giaddr, DhcpMessageType.REQUEST, marker, o -> { });
            t[RELEASE] = packet(family, giaddr, DhcpMessageType.RELEASE, marker, o -> o.serverId(server));
            t[INFORM] = packet(family, giaddr, DhcpMessageType.INFORM, marker, o -> { });
            t[DECLINE] = packet(family, giaddr, DhcpMessageType.DECLINE, null, o -> o.requestedIp(marker).serverId(server));
            templates[f] = t;
            requestedOffset[f] = new int[7];
            for (int k = 0; k < 7; k++) {
                requestedOffset[f][k] = find(t[k], new byte[] {50, 4, (byte) 198, 18, (byte) 254, (byte) 254});
            }
            clientIdOffset[f] = family >= 2 ? find(t[DISCOVER], new byte[] {61, 7, 1}) : -1;
        }
    }

    private static byte[] packet(int family, Ipv4Address giaddr, DhcpMessageType type, Ipv4Address ciaddr,
                                 Consumer<DhcpOptions.Builder> more) {
        DhcpOptions.Builder o = DhcpOptions.builder().messageType(type);
        switch (family) {
            case 0 -> o.parameterRequestList(1, 28, 2, 3, 15, 6, 12);
            case 1 -> o.parameterRequestList(1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42).hostname("vm-train")
                    .maxMessageSize(1500);
            case 2 -> o.parameterRequestList(1, 3, 6, 15, 26, 28, 51, 58, 59, 119, 121)
                    .clientId(Octets.of(new byte[] {1, 0, 0, 0, 0, 0, 0})).hostname("vm-networkd");
            // perfdhcp's own: a client identifier (01 + MAC) and no hostname
            default -> o.parameterRequestList(1, 28, 2, 3, 15, 6, 12).clientId(Octets.of(new byte[] {1, 0, 0, 0, 0, 0, 0}));
        }
        more.accept(o);
        DhcpMessage.Builder m = DhcpMessage.builder().xid(0).hops(1).giaddr(giaddr).mac(new MacAddress(0))
                .options(o.build());
        if (ciaddr != null) {
            m.ciaddr(ciaddr);
        }
        return new DhcpEncoder().encode(m.build());
    }


    /** Client {@code c}'s MAC: a locally administered one, unique per client number. */
    static MacAddress mac(int c) {
        return new MacAddress(0x0A_00_00_00_00_00L | c);
    }

    /**
     * One wave: every client in [from, to) sends {@code kind}; then their replies are collected
     * (when the kind has one). For DISCOVER and the requests, the address is that of the client's
     * last reply; {@code wrongAddress} makes requests name another client's address (the server NAKs).
     */
    void wave(int kind, int from, int to, boolean wrongAddress) throws InterruptedException, IOException {
        int expected = 0;
        for (int c = from; c < to; c++) {
            int family = c % FAMILIES;
            byte[] p = templates[family][kind].clone();
            putInt(p, XID, xid++);
            long mac = mac(c).value();
            for (int i = 0; i < 6; i++) {
                p[CHADDR + i] = (byte) (mac >>> (40 - 8 * i));
            }
            if (clientIdOffset[family] >= 0) {
                for (int i = 0; i < 6; i++) {
                    p[clientIdOffset[family] + 1 + i] = (byte) (mac >>> (40 - 8 * i));
                }
            }
            int ip = addressOf[wrongAddress ? (c + 1 - from) % (to - from) + from : c];
            if (ip == 0 && kind != DISCOVER) {
                continue; // never got an address: nothing to request, release or decline
            }
            if (requestedOffset[family][kind] >= 0) {
                putInt(p, requestedOffset[family][kind], ip);
            }
            if (kind == REBINDING || kind == RELEASE || kind == INFORM) {
                putInt(p, CIADDR, ip);
            }
            link.send(p);
            if (kind != RELEASE && kind != DECLINE) {
                expected++;
            }
            if (kind == RELEASE || kind == DECLINE) {
                addressOf[c] = 0;
            }
        }
        collect(expected, from, to);
    }

    private void collect(int expected, int from, int to) throws InterruptedException, IOException {
        for (int n = 0; n < expected; n++) {
            byte[] d = link.awaitReply(REPLY_WAIT);
            if (d == null) {
                throw new IllegalStateException("the server answered " + n + " of " + expected + " requests in "
                        + REPLY_WAIT + " (from client " + from + " to " + to + ")");
            }
            replies++;
            int c = (int) (macOf(d) & 0xFFFFFF);
            if (c < from || c >= to) {
                continue;
            }
            if (messageType(d) == DhcpMessageType.NAK.code()) {
                naks++;
                addressOf[c] = 0;
            } else if (getInt(d, YIADDR) != 0) {
                addressOf[c] = getInt(d, YIADDR);
            }
        }
    }

    /** Talks to a restarted server over its new link (a stopped server closes its transport). */
    void reconnect(Link next) {
        this.link = next;
    }

    /** The most requests a wave of {@code size} may send at once on this link. */
    int waveSize(int size) {
        return Math.min(size, link.maxWave());
    }

    /** Garbage and non-requests: the server counts them and answers nothing. */
    void malformed(int count) throws IOException {
        byte[] reply = templates[0][DISCOVER].clone();
        reply[0] = 2; // BOOTREPLY
        for (int i = 0; i < count; i++) {
            byte[] junk = new byte[1 + i % 300];
            junk[0] = (byte) i;
            link.send(junk);
            link.send(reply);
        }
    }

    long replies() {
        return replies;
    }

    long naks() {
        return naks;
    }




}
