package dev.vmaddr.bench;

import static dev.vmaddr.serve.TrainingPackets.*;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.dhcp.transport.Datagram;
import dev.vmaddr.dhcp.transport.InMemoryTransport;
import dev.vmaddr.serve.LogLevel;
import dev.vmaddr.serve.Server;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The whole DHCPv4 request path as {@code vmaddr serve} runs it, minus the UDP socket: the real
 * {@link Server} (config file, embedded store with group commit and fsync, deferred durability,
 * engine, protocol, codec, the receive loop and its reply pacer) over the in-memory transport, driven
 * by relayed perfdhcp-like clients (message type and parameter list only) in waves of {@link #WAVE}:
 * a wave's DISCOVERs, then its OFFERs collected, its REQUESTs, its ACKs collected. Shared by
 * {@link DhcpServeLoopBenchmark} (JMH) and {@link DhcpServeLoopCpu} (CPU per second of a fresh JVM's life).
 *
 * <p>Not thread-safe: one client thread drives it ({@link #wave}, closed loop), or one sends
 * DISCOVERs while {@link #answerOffers}'s thread answers the OFFERs (open loop).
 */
final class ServeLoop implements AutoCloseable {
    static final int WAVE = 64;
    private static final Ipv4Address RELAY = Ipv4Address.parse("198.19.255.254");
    private static final Duration REPLY_WAIT = Duration.ofSeconds(20);

    private final Path work;
    private final InMemoryTransport transport = new InMemoryTransport();
    private final Server server;
    private final InetSocketAddress relay = new InetSocketAddress(RELAY.toInetAddress(), 67);
    private final Inet4Address serverAddress = Ipv4Address.parse("127.0.0.1").toInetAddress();
    private final byte[] discover;
    private final byte[] request;
    private final byte[] release;
    private final int requestedOffset;
    private final int[] offered = new int[WAVE];

    ServeLoop(Path work) throws Exception {
        this.work = work;
        deleteTree(work);
        Files.createDirectories(work);
        Path file = work.resolve("vmaddr.yaml");
        Files.writeString(file, """
                dataDir: %s
                api: { listen: 127.0.0.1:0 }
                log: { level: warn }
                dhcp:
                  interfaces: [lo]
                  probe: { method: none }
                networks:
                  - name: bench
                    cidr: 198.16.0.0/13
                    gateway: 198.16.0.1
                    leaseTime: 2h
                    dns: [198.16.0.53]
                    pools: ["198.16.0.10-198.23.255.250"]
                """.formatted(work.resolve("data")));
        LogLevel.apply("warn");
        Ipv4Address marker = Ipv4Address.parse("198.18.254.254");
        discover = packet(DhcpMessageType.DISCOVER, null, null);
        request = packet(DhcpMessageType.REQUEST, marker, null);
        release = packet(DhcpMessageType.RELEASE, null, marker);
        requestedOffset = find(request, new byte[] {50, 4, (byte) 198, 18, (byte) 254, (byte) 254});
        if (requestedOffset < 0) {
            throw new IllegalStateException("requested-address option not found");
        }
        server = new Server(ConfigLoader.load(file), Clock.systemUTC(), new SecureRandom(), List.of())
                .dhcpTransport(transport);
        server.start();
    }

    private DhcpMessage.Builder base(DhcpOptions.Builder o) {
        return DhcpMessage.builder().xid(0).hops(1).giaddr(RELAY).mac(new MacAddress(0)).options(o.build());
    }

    private byte[] packet(DhcpMessageType type, Ipv4Address requested, Ipv4Address ciaddr) {
        DhcpOptions.Builder o = DhcpOptions.builder().messageType(type).parameterRequestList(1, 28, 2, 3, 15, 6, 12);
        if (requested != null) {
            o.requestedIp(requested).serverId(Ipv4Address.parse("127.0.0.1"));
        }
        if (ciaddr != null) {
            o.serverId(Ipv4Address.parse("127.0.0.1"));
        }
        DhcpMessage.Builder m = base(o);
        if (ciaddr != null) {
            m.ciaddr(ciaddr);
        }
        return new DhcpEncoder().encode(m.build());
    }

    /** Clients {@code first .. first+WAVE-1} do a whole DORA; with {@code release} they leave after their ACK. */
    void wave(long first, boolean release) throws InterruptedException {
        for (int i = 0; i < WAVE; i++) {
            transport.deliver(datagram(discover, first + i, 0));
        }
        for (int i = 0; i < WAVE; i++) {
            byte[] d = reply(DhcpMessageType.OFFER);
            offered[(int) ((macOf(d) - first) & 0xFFFF_FFFFL)] = getInt(d, YIADDR);
        }
        for (int i = 0; i < WAVE; i++) {
            byte[] p = datagramBytes(request, first + i);
            putInt(p, requestedOffset, offered[i]);
            transport.deliver(new Datagram(1, relay, serverAddress, p));
        }
        for (int i = 0; i < WAVE; i++) {
            reply(DhcpMessageType.ACK);
        }
        if (release) {
            for (int i = 0; i < WAVE; i++) {
                byte[] p = datagramBytes(this.release, first + i);
                putInt(p, CIADDR, offered[i]);
                transport.deliver(new Datagram(1, relay, serverAddress, p));
            }
        }
    }

    /**
     * Open loop, as perfdhcp drives a server: the caller sends DISCOVERs with {@link #discover} at its
     * own pace, and this starts a thread ("loop-client-replies") that answers each OFFER with its
     * REQUEST and counts the ACKs in {@code acks}. Stops when the server closes the transport.
     */
    Thread answerOffers(java.util.concurrent.atomic.AtomicLong acks) {
        Thread t = Thread.ofPlatform().name("loop-client-replies").daemon().start(() -> {
            try {
                while (true) {
                    InMemoryTransport.Sent s = transport.awaitSent(Duration.ofSeconds(1));
                    if (s == null) {
                        if (transport.isClosed()) {
                            return;
                        }
                        continue;
                    }
                    byte[] d = s.data();
                    int type = messageType(d);
                    if (type == DhcpMessageType.OFFER.code()) {
                        byte[] p = datagramBytes(request, macOf(d));
                        putInt(p, requestedOffset, getInt(d, YIADDR));
                        transport.deliver(new Datagram(1, relay, serverAddress, p));
                    } else if (type == DhcpMessageType.ACK.code()) {
                        acks.incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return t;
    }

    /** Open loop: one client's DISCOVER (see {@link #answerOffers}). */
    void discover(long client) {
        transport.deliver(datagram(discover, client, 0));
    }

    private Datagram datagram(byte[] template, long client, int ignored) {
        return new Datagram(1, relay, serverAddress, datagramBytes(template, client));
    }

    private byte[] datagramBytes(byte[] template, long client) {
        byte[] p = template.clone();
        putInt(p, 4, (int) client); // the xid: any value, the server echoes it
        long mac = 0x0A_00_00_00_00_00L | (client & 0xFF_FFFF_FFFFL);
        for (int i = 0; i < 6; i++) {
            p[CHADDR + i] = (byte) (mac >>> (40 - 8 * i));
        }
        return p;
    }

    private byte[] reply(DhcpMessageType expected) throws InterruptedException {
        InMemoryTransport.Sent s = transport.awaitSent(REPLY_WAIT);
        if (s == null) {
            throw new IllegalStateException("no " + expected + " within " + REPLY_WAIT);
        }
        byte[] d = s.data();
        if (messageType(d) != expected.code()) {
            throw new IllegalStateException("expected " + expected + ", got message type " + messageType(d));
        }
        return d;
    }

    @Override
    public void close() throws IOException {
        server.close();
        deleteTree(work);
    }






    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
