package dev.vmaddr.dhcp.transport;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.vmaddr.addr.Ipv6Address;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An IPv6 socket through FFM, in two kinds: a raw ICMPv6 socket that hears router solicitations and
 * sends router advertisements (hop limit 255, RFC 4861 6.1.2), and a UDP socket on {@code [::]:547}
 * for DHCPv6. Both report the arrival interface and destination with IPV6_RECVPKTINFO and name the
 * outgoing interface with IPV6_PKTINFO, which link-local and multicast destinations need.
 *
 * <p>It lives beside {@link FfmUdpTransport} because {@link Libc} keeps the restricted FFM calls
 * in this package. Threads as there: one receiver, senders serialized on one send buffer (RAs and
 * DHCPv6 replies are few next to DHCPv4), close from any thread wakes the receiver.
 */
public final class Ipv6Socket implements Packet6Transport {
    public static final int DHCP6_SERVER_PORT = 547;
    private static final int ICMP6_ROUTER_SOLICITATION = 133;
    private static final int RECEIVE_CAPACITY = 65536;
    private static final int SEND_CAPACITY = 65536;

    private final Descriptor fd;
    private final String description;
    private final Arena arena = Arena.ofShared();
    private final Ipv6MessageBuffers receiveBuffers;
    private final Ipv6MessageBuffers sendBuffers;
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock sendLock = new ReentrantLock();

    private Ipv6Socket(int fd, String description) {
        this.fd = new Descriptor(fd);
        this.description = description;
        this.receiveBuffers = new Ipv6MessageBuffers(arena, RECEIVE_CAPACITY, 256);
        this.sendBuffers = new Ipv6MessageBuffers(arena, SEND_CAPACITY, Ipv6MessageBuffers.PKTINFO_CMSG_SPACE);
    }

    /**
     * A raw ICMPv6 socket handed router solicitations only (ICMP6_FILTER), sending with hop limit
     * 255 and without looping our own multicast back (needs root or CAP_NET_RAW).
     */
    public static Ipv6Socket openRouterSocket() throws IOException {
        return open(Libc.SOCK_RAW, Libc.IPPROTO_ICMPV6, -1, "raw ICMPv6");
    }

    /** A UDP socket on {@code [::]:port} (547 needs root or CAP_NET_BIND_SERVICE; 0 is ephemeral). */
    public static Ipv6Socket openUdp(int port) throws IOException {
        return open(Libc.SOCK_DGRAM, 0, port, "UDP [::]:" + port);
    }

    private static Ipv6Socket open(int type, int protocol, int port, String description) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(a);
            int fd = Libc.socket(cs, Libc.AF_INET6, type | Libc.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw Libc.exception("socket(AF_INET6, " + description + ")", Libc.errno(cs));
            }
            try {
                MemorySegment one = a.allocateFrom(JAVA_INT, 1);
                setInt(cs, fd, Libc.IPPROTO_IPV6, Libc.IPV6_RECVPKTINFO, one, "IPV6_RECVPKTINFO");
                if (protocol == Libc.IPPROTO_ICMPV6) {
                    MemorySegment hops = a.allocateFrom(JAVA_INT, 255);
                    setInt(cs, fd, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS, hops, "IPV6_MULTICAST_HOPS");
                    setInt(cs, fd, Libc.IPPROTO_IPV6, Libc.IPV6_UNICAST_HOPS, hops, "IPV6_UNICAST_HOPS");
                    setInt(cs, fd, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP, a.allocateFrom(JAVA_INT, 0),
                            "IPV6_MULTICAST_LOOP");
                    // struct icmp6_filter: a set bit blocks that type; pass only solicitations.
                    MemorySegment filter = a.allocate(32, 4);
                    filter.fill((byte) 0xFF);
                    int word = ICMP6_ROUTER_SOLICITATION >>> 5;
                    filter.set(JAVA_INT, word * 4L, ~(1 << (ICMP6_ROUTER_SOLICITATION & 31)));
                    if (Libc.setsockopt(cs, fd, Libc.IPPROTO_ICMPV6, Libc.ICMP6_FILTER, filter, 32) != 0) {
                        throw Libc.exception("setsockopt(ICMP6_FILTER)", Libc.errno(cs));
                    }
                } else {
                    setInt(cs, fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, one, "IPV6_V6ONLY");
                    setInt(cs, fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, one, "SO_REUSEADDR");
                    // As for DHCPv4 (FfmUdpTransport): the default buffer overflows in a short pause.
                    setInt(cs, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF,
                            a.allocateFrom(JAVA_INT, FfmUdpTransport.RECEIVE_BUFFER_BYTES), "SO_RCVBUF");
                    Ipv6MessageBuffers addr = new Ipv6MessageBuffers(a, 0, 0);
                    addr.setSockaddr(new byte[16], port, 0);
                    if (Libc.bind(cs, fd, addr.sockaddr, Ipv6MessageBuffers.SOCKADDR_IN6_SIZE) != 0) {
                        throw Libc.exception("bind([::]:" + port + ")", Libc.errno(cs));
                    }
                }
                return new Ipv6Socket(fd, description);
            } catch (IOException | RuntimeException e) {
                Libc.close(cs, fd);
                throw e;
            }
        }
    }

    private static void setInt(MemorySegment cs, int fd, int level, int option, MemorySegment value, String name)
            throws IOException {
        if (Libc.setsockopt(cs, fd, level, option, value, 4) != 0) {
            throw Libc.exception("setsockopt(" + name + ")", Libc.errno(cs));
        }
    }

    @Override
    public void join(int ifIndex, Ipv6Address group) throws IOException {
        fd.enter();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(a);
            MemorySegment mreq = a.allocate(20, 4); // struct ipv6_mreq: address, ifindex
            MemorySegment.copy(bytes(group), 0, mreq, ValueLayout.JAVA_BYTE, 0, 16);
            mreq.set(JAVA_INT, 16, ifIndex);
            if (Libc.setsockopt(cs, fd.fd(), Libc.IPPROTO_IPV6, Libc.IPV6_JOIN_GROUP, mreq, 20) != 0) {
                int errno = Libc.errno(cs);
                if (errno != 98) { // EADDRINUSE: already a member
                    throw Libc.exception("IPV6_JOIN_GROUP " + group + " on ifindex " + ifIndex, errno);
                }
            }
        } finally {
            fd.exit();
        }
    }

    @Override
    public Datagram6 receive() throws IOException {
        receiveLock.lock();
        try {
            fd.enter();
            try {
                Ipv6MessageBuffers b = receiveBuffers;
                while (true) {
                    long n;
                    do {
                        b.prepare(RECEIVE_CAPACITY, 256);
                        n = Libc.recvmsg(b.callState, fd.fd(), b.msghdr, 0);
                    } while (n < 0 && Libc.errno(b.callState) == Libc.EINTR && !fd.closed());
                    if (fd.closed()) {
                        throw new AsynchronousCloseException();
                    }
                    if (n < 0) {
                        throw Libc.exception("recvmsg on " + description, Libc.errno(b.callState));
                    }
                    long info = b.findPktinfo();
                    if (info < 0) {
                        continue; // without the arrival interface there is no way to answer
                    }
                    return new Datagram6(b.pktinfoIfIndex(info), Ipv6Address.fromBytes(b.sockaddrAddress()),
                            b.sockaddrPort(), Ipv6Address.fromBytes(b.pktinfoAddress(info)), b.copyData((int) n));
                }
            } finally {
                fd.exit();
            }
        } finally {
            receiveLock.unlock();
        }
    }

    @Override
    public void send(int ifIndex, Ipv6Address destination, int port, byte[] data) throws IOException {
        if (data.length > SEND_CAPACITY) {
            throw new IOException("datagram of " + data.length + " bytes is larger than " + SEND_CAPACITY);
        }
        fd.enter();
        sendLock.lock();
        try {
            Ipv6MessageBuffers b = sendBuffers;
            MemorySegment.copy(data, 0, b.data(), ValueLayout.JAVA_BYTE, 0, data.length);
            // The port field of a raw socket's address is the protocol; the kernel ignores it for ICMPv6.
            b.setSockaddr(bytes(destination), port, ifIndex);
            b.prepare(data.length, ifIndex == 0 ? 0 : b.setPktinfo(ifIndex));
            long n;
            do {
                n = Libc.sendmsg(b.callState, fd.fd(), b.msghdr, 0);
            } while (n < 0 && Libc.errno(b.callState) == Libc.EINTR && !fd.closed());
            if (n < 0) {
                throw Libc.exception("sendmsg of " + data.length + " bytes to [" + destination + "]:" + port
                        + " via ifindex " + ifIndex + " on " + description, Libc.errno(b.callState));
            }
        } finally {
            sendLock.unlock();
            fd.exit();
        }
    }

    @Override
    public void close() throws IOException {
        fd.shutdownAndClose(arena);
    }

    static byte[] bytes(Ipv6Address a) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (a.high() >>> (56 - 8 * i));
            b[i + 8] = (byte) (a.low() >>> (56 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        return "Ipv6Socket[" + description + (fd.closed() ? ", closed" : "") + "]";
    }
}
