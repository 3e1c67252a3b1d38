package dev.vmaddr.dhcp.it;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpDecoder;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.testing.netns.ChildJvm;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child main: a DHCP load generator that acts as a relay. Bound to {@code relay:67}, it runs DORA
 * for {@code count} MACs {@code 02:18:RR:00:hi:lo} (RR = round) with giaddr = relay, {@code
 * concurrency} at a time, and prints {@code ACK <ip> <mac>} the moment each ACK arrives, so the test
 * knows exactly which leases the server has promised even if it is killed a moment later.
 *
 * <p>Args: relay server count round concurrency seconds. Bounded by count and by seconds. Threads:
 * one receiver completes per-xid futures; {@code concurrency} virtual threads run transactions.
 */
public final class RelayLoadMain {
    private static final Map<Integer, CompletableFuture<DhcpMessage>> PENDING = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentGoes();
        Ipv4Address relay = Ipv4Address.parse(args[0]);
        InetSocketAddress server = new InetSocketAddress(args[1], 67);
        int count = Integer.parseInt(args[2]);
        int round = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[5]));
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.bind(new InetSocketAddress(args[0], 67));
        Thread.ofPlatform().daemon().start(() -> receive(ch));
        System.out.println("READY");
        System.out.flush();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger acks = new AtomicInteger();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                workers.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
                        MacAddress mac = MacAddress.parse("02:18:%02x:00:%02x:%02x".formatted(round, i >> 8, i & 0xff));
                        for (int attempt = 0; attempt < 3 && System.nanoTime() < deadline; attempt++) {
                            if (dora(ch, server, relay, mac)) {
                                acks.incrementAndGet();
                                break;
                            }
                        }
                    }
                    return null;
                });
            }
        }
        System.out.println("DONE acks=" + acks.get());
        System.out.flush();
    }

    private static boolean dora(DatagramChannel ch, InetSocketAddress server, Ipv4Address relay, MacAddress mac)
            throws Exception {
        int xid = java.util.concurrent.ThreadLocalRandom.current().nextInt();
        DhcpMessage offer = exchange(ch, server, xid, DhcpMessage.builder().op(DhcpMessage.BOOTREQUEST).mac(mac).xid(xid)
                .hops(1).giaddr(relay).options(DhcpOptions.builder().messageType(DhcpMessageType.DISCOVER).build()).build());
        if (offer == null || offer.messageType().orElse(null) != DhcpMessageType.OFFER) {
            return false;
        }
        DhcpMessage ack = exchange(ch, server, xid, DhcpMessage.builder().op(DhcpMessage.BOOTREQUEST).mac(mac).xid(xid)
                .hops(1).giaddr(relay).options(DhcpOptions.builder().messageType(DhcpMessageType.REQUEST)
                        .serverId(offer.options().serverId().orElseThrow()).requestedIp(offer.yiaddr()).build()).build());
        if (ack == null || ack.messageType().orElse(null) != DhcpMessageType.ACK) {
            return false;
        }
        synchronized (System.out) {
            System.out.println("ACK " + ack.yiaddr() + " " + mac);
            System.out.flush();
        }
        return true;
    }

    private static DhcpMessage exchange(DatagramChannel ch, InetSocketAddress server, int xid, DhcpMessage m)
            throws Exception {
        CompletableFuture<DhcpMessage> reply = new CompletableFuture<>();
        PENDING.put(xid, reply);
        try {
            ch.send(ByteBuffer.wrap(new DhcpEncoder().encode(m)), server);
            return reply.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return null;
        } finally {
            PENDING.remove(xid);
        }
    }

    private static void receive(DatagramChannel ch) {
        DhcpDecoder decoder = new DhcpDecoder();
        ByteBuffer buf = ByteBuffer.allocate(1500);
        while (true) {
            try {
                buf.clear();
                ch.receive(buf);
                buf.flip();
                byte[] b = new byte[buf.remaining()];
                buf.get(b);
                DhcpMessage m = decoder.decode(b);
                CompletableFuture<DhcpMessage> f = PENDING.get(m.xid());
                if (f != null) {
                    f.complete(m);
                }
            } catch (Exception e) {
                if (!ch.isOpen()) {
                    return;
                }
            }
        }
    }
}
