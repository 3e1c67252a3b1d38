package dev.vmaddr.dhcp.transport;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousCloseException;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One IPv4 UDP socket bound to {@code 0.0.0.0:port} with {@code IP_PKTINFO}, driven through
 * {@code java.lang.foreign} (Linux x86_64 only).
 *
 * <p>Why not {@code DatagramChannel}: it cannot report the interface a datagram arrived on, and a
 * socket bound to one unicast address never sees broadcast DISCOVERs. Here {@code recvmsg} reads
 * {@code ipi_ifindex}/{@code ipi_addr}, and {@code sendmsg} carries an {@code IP_PKTINFO} control
 * message naming the outgoing interface, so a broadcast to 255.255.255.255 leaves through the
 * bridge the request came from even when no route covers it.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #receive()} is meant for one receiver thread. It reuses one set of native buffers,
 *       so concurrent callers are serialized by {@code receiveLock}, not rejected.</li>
 *   <li>{@link #send} may be called from any number of threads at once. A platform thread (the
 *       receiver, the store's commit thread) keeps native send buffers of its own, so two threads
 *       sending share nothing: a pool shared by them had branches taken only when both sent at
 *       the same instant, which the JIT compiled as traps, and the first such moment of a fresh
 *       server's real traffic recompiled the send path (JFR at 20,000 DORA/s). Virtual threads
 *       (one per request when the protocol may block) borrow buffers from a lock-free pool
 *       instead, so a reply costs no native allocation once the pool has as many buffers as
 *       there are concurrent senders.</li>
 *   <li>{@link #close()} may be called from any thread: the {@link Descriptor} wakes a blocked
 *       receiver and closes the socket once no call is inside the kernel with it.</li>
 *   <li>{@code receive}/{@code send} block the carrier of a virtual thread while in the kernel.</li>
 * </ul>
 */
public final class FfmUdpTransport implements PacketTransport {
    /** The DHCP server port. */
    public static final int DHCP_SERVER_PORT = 67;

    // IPv4 caps a UDP payload at 65507 bytes; one 64 KiB buffer can never truncate.
    private static final int RECEIVE_CAPACITY = 65536;
    private static final int RECEIVE_CONTROL_CAPACITY = 256;
    private static final int INITIAL_SEND_CAPACITY = 2048;

    /** Send buffers of platform threads; see the class comment. */
    private final ThreadLocal<MessageBuffers> threadSendBuffers = ThreadLocal.withInitial(FfmUdpTransport::newSendBuffers);
    /** Send buffers virtual threads borrow; see the class comment. */
    private final ConcurrentLinkedQueue<MessageBuffers> pooledSendBuffers = new ConcurrentLinkedQueue<>();

    /** Socket receive buffer asked for (SO_RCVBUF). */
    static final int RECEIVE_BUFFER_BYTES = 4 << 20;

    private final Descriptor fd;
    private final int localPort;
    private final Arena receiveArena = Arena.ofShared();
    private final MessageBuffers receiveBuffers;
    private final ReentrantLock receiveLock = new ReentrantLock();
    // The receiver sees the same destination (255.255.255.255 or our own address) almost always.
    // Guarded by receiveLock, like receiveBuffers.
    private int lastDestinationBits;
    private Inet4Address lastDestination;

    private FfmUdpTransport(int fd, int localPort) {
        this.fd = new Descriptor(fd);
        this.localPort = localPort;
        this.receiveBuffers = new MessageBuffers(receiveArena, RECEIVE_CAPACITY, RECEIVE_CONTROL_CAPACITY);
    }

    private static MessageBuffers newSendBuffers() {
        return new MessageBuffers(Arena.ofAuto(), INITIAL_SEND_CAPACITY, MessageBuffers.PKTINFO_CMSG_SPACE);
    }

    /** Opens the DHCP server socket on 0.0.0.0:67 (needs root or CAP_NET_BIND_SERVICE). */
    public static FfmUdpTransport open() throws IOException {
        return open(DHCP_SERVER_PORT);
    }

    /**
     * Opens a socket on {@code 0.0.0.0:port} with SO_REUSEADDR, SO_BROADCAST, IP_PKTINFO and a
     * receive buffer of up to {@link #RECEIVE_BUFFER_BYTES}.
     *
     * @param port 0 for an ephemeral port (see {@link #localPort()})
     * @throws java.net.BindException when the port is taken
     */
    public static FfmUdpTransport open(int port) throws IOException {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int fd = Libc.socket(cs, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Libc.exception("socket(AF_INET, SOCK_DGRAM)", Libc.errno(cs));
            }
            try {
                MemorySegment one = arena.allocateFrom(JAVA_INT, 1);
                setOption(cs, fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, one, "SO_REUSEADDR");
                setOption(cs, fd, Libc.SOL_SOCKET, Libc.SO_BROADCAST, one, "SO_BROADCAST");
                setOption(cs, fd, Libc.IPPROTO_IP, Libc.IP_PKTINFO, one, "IP_PKTINFO");
                // The default (~200 KiB, a few hundred requests) overflows in a 10 ms pause (GC, JIT)
                // at 15,000 requests/s, and every request lost costs the client a seconds-long
                // retransmit. The kernel caps this at net.core.rmem_max, which stays the admin's call.
                setOption(cs, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, arena.allocateFrom(JAVA_INT, RECEIVE_BUFFER_BYTES),
                        "SO_RCVBUF");

                MessageBuffers addr = new MessageBuffers(arena, 0, 0);
                addr.setSockaddr(0, port);
                if (Libc.bind(cs, fd, addr.sockaddr, MessageBuffers.SOCKADDR_IN_SIZE) != 0) {
                    throw Libc.exception("bind(0.0.0.0:" + port + ")", Libc.errno(cs));
                }
                MemorySegment length = arena.allocateFrom(JAVA_INT, MessageBuffers.SOCKADDR_IN_SIZE);
                if (Libc.getsockname(cs, fd, addr.sockaddr, length) != 0) {
                    throw Libc.exception("getsockname", Libc.errno(cs));
                }
                return new FfmUdpTransport(fd, addr.sockaddrPort());
            } catch (IOException | RuntimeException e) {
                Libc.close(cs, fd);
                throw e;
            }
        }
    }

    private static void setOption(MemorySegment cs, int fd, int level, int option, MemorySegment value, String name)
            throws IOException {
        if (Libc.setsockopt(cs, fd, level, option, value, (int) JAVA_INT.byteSize()) != 0) {
            throw Libc.exception("setsockopt(" + name + ")", Libc.errno(cs));
        }
    }

    /** The port the socket is bound to. */
    public int localPort() {
        return localPort;
    }

    /**
     * Blocks until a datagram arrives; see the class comment for threads.
     *
     * @return a datagram whose {@code ifIndex} is always that of a real interface (> 0)
     */
    @Override
    public Datagram receive() throws IOException {
        receiveLock.lock();
        try {
            fd.enter();
            try {
                return receiveOpen();
            } finally {
                fd.exit();
            }
        } finally {
            receiveLock.unlock();
        }
    }

    private Datagram receiveOpen() throws IOException {
        MessageBuffers b = receiveBuffers;
        long n;
        do {
            b.prepare(RECEIVE_CAPACITY, RECEIVE_CONTROL_CAPACITY);
            n = Libc.recvmsg(b.callState, fd.fd(), b.msghdr, 0);
        } while (n < 0 && Libc.errno(b.callState) == Libc.EINTR && !fd.closed());
        // After shutdown(2) recvmsg returns 0, which is also a valid empty datagram: closed decides.
        if (fd.closed()) {
            throw new AsynchronousCloseException();
        }
        if (n < 0) {
            throw Libc.exception("recvmsg on 0.0.0.0:" + localPort, Libc.errno(b.callState));
        }
        long pktinfo = b.findPktinfo();
        if (pktinfo < 0) {
            throw new IOException("recvmsg on 0.0.0.0:" + localPort + ": no IP_PKTINFO control message (flags=0x"
                    + Integer.toHexString(b.flags()) + ")");
        }
        InetSocketAddress source = new InetSocketAddress(inet4(b.sockaddrAddress()), b.sockaddrPort());
        return new Datagram(b.pktinfoIfIndex(pktinfo), source, destination(b.pktinfoAddr(pktinfo)),
                b.copyData((int) n));
    }

    private Inet4Address destination(int bits) {
        if (lastDestination == null || bits != lastDestinationBits) {
            lastDestination = inet4(bits);
            lastDestinationBits = bits;
        }
        return lastDestination;
    }

    /**
     * Sends one datagram; safe from any thread. With {@code ifIndex != 0} or a {@code sourceHint}
     * the datagram carries an IP_PKTINFO control message, so it leaves through that interface with
     * that source address regardless of routes.
     *
     * @throws IOException naming the destination, the interface and the kernel's reason, e.g.
     *         {@code No such device (ENODEV, errno 19)} for an interface that does not exist
     */
    @Override
    public void send(int ifIndex, Inet4Address sourceHint, InetSocketAddress destination,
                     byte[] data, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (ifIndex < 0) {
            throw new IllegalArgumentException("ifIndex must be >= 0, got " + ifIndex);
        }
        if (!(destination.getAddress() instanceof Inet4Address target)) {
            throw new IllegalArgumentException("destination must be a resolved IPv4 address: " + destination);
        }
        if (!Thread.currentThread().isVirtual()) {
            sendWith(threadSendBuffers.get(), ifIndex, sourceHint, destination, target, data, offset, length);
            return;
        }
        MessageBuffers b = pooledSendBuffers.poll();
        if (b == null) {
            b = newSendBuffers();
        }
        try {
            sendWith(b, ifIndex, sourceHint, destination, target, data, offset, length);
        } finally {
            pooledSendBuffers.offer(b);
        }
    }

    private void sendWith(MessageBuffers b, int ifIndex, Inet4Address sourceHint, InetSocketAddress destination,
                          Inet4Address target, byte[] data, int offset, int length) throws IOException {
        b.ensureDataCapacity(length);
        MemorySegment.copy(data, offset, b.data(), ValueLayout.JAVA_BYTE, 0, length);
        b.setSockaddr(bits(target), destination.getPort());
        int controlLength = ifIndex == 0 && sourceHint == null
                ? 0
                : b.setPktinfo(ifIndex, sourceHint == null ? 0 : bits(sourceHint));
        b.prepare(length, controlLength);

        fd.enter();
        try {
            long n;
            do {
                n = Libc.sendmsg(b.callState, fd.fd(), b.msghdr, 0);
            } while (n < 0 && Libc.errno(b.callState) == Libc.EINTR && !fd.closed());
            if (n < 0) {
                if (fd.closed()) {
                    throw new AsynchronousCloseException();
                }
                throw Libc.exception(describeSend(ifIndex, sourceHint, target, destination.getPort(), length),
                        Libc.errno(b.callState));
            }
        } finally {
            fd.exit();
        }
    }

    private static String describeSend(int ifIndex, Inet4Address source, Inet4Address target, int port, int length) {
        return "sendmsg of " + length + " bytes to " + target.getHostAddress() + ":" + port
                + " via ifindex " + ifIndex + (ifIndex == 0 ? " (routing decides)" : "")
                + (source == null ? "" : " from " + source.getHostAddress());
    }

    /** Wakes a blocked receiver, then releases the descriptor; see the class comment. Idempotent. */
    @Override
    public void close() throws IOException {
        fd.shutdownAndClose(receiveArena);
    }

    @Override
    public String toString() {
        return "FfmUdpTransport[0.0.0.0:" + localPort + (fd.closed() ? ", closed" : "") + "]";
    }

    static int bits(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    static Inet4Address inet4(int bits) {
        byte[] b = {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always a valid IPv4 address", e);
        }
    }
}
