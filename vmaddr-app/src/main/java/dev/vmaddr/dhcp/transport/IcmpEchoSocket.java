package dev.vmaddr.dhcp.transport;

import dev.vmaddr.addr.Ipv4Address;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A raw ICMP socket that sends echo requests and reads echo replies (needs root or CAP_NET_RAW).
 * It exists for the DHCP conflict probe: {@code InetAddress.isReachable} silently falls back to TCP
 * port 7 without privileges and cannot tell which probe a reply answers.
 *
 * <p>Threads follow {@link FfmUdpTransport}: one receiver thread in {@link #receive()}; {@link #send}
 * from any thread (serialized on one send buffer: probes are rare next to DHCP traffic); close from
 * any thread wakes the receiver with {@code shutdown(2)} and waits for calls in the kernel to leave.
 */
public final class IcmpEchoSocket implements AutoCloseable {
    private static final int ECHO_REQUEST = 8;
    private static final int ECHO_REPLY = 0;
    private static final int PAYLOAD = 16;
    private static final int RECEIVE_CAPACITY = 2048;

    /** One echo reply: who answered and the identifier and sequence it echoes. */
    public record EchoReply(Ipv4Address from, int identifier, int sequence) {}

    private final Descriptor fd;
    private final Arena arena = Arena.ofShared();
    private final MessageBuffers receiveBuffers;
    private final MessageBuffers sendBuffers;
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock sendLock = new ReentrantLock();

    private IcmpEchoSocket(int fd) {
        this.fd = new Descriptor(fd);
        this.receiveBuffers = new MessageBuffers(arena, RECEIVE_CAPACITY, 0);
        this.sendBuffers = new MessageBuffers(arena, 8 + PAYLOAD, 0);
    }

    public static IcmpEchoSocket open() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(a);
            int fd = Libc.socket(cs, Libc.AF_INET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.IPPROTO_ICMP);
            if (fd < 0) {
                throw Libc.exception("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) (needs root or CAP_NET_RAW)", Libc.errno(cs));
            }
            return new IcmpEchoSocket(fd);
        }
    }

    /** Sends one echo request to {@code target}; routing picks the interface and source. */
    public void send(Ipv4Address target, int identifier, int sequence) throws IOException {
        // The buffers live in the socket's arena, which close() frees only once no call is inside (Descriptor).
        fd.enter();
        sendLock.lock();
        try {
            MessageBuffers b = sendBuffers;
            MemorySegment d = b.data();
            d.fill((byte) 0);
            d.set(ValueLayout.JAVA_BYTE, 0, (byte) ECHO_REQUEST);
            putShort(d, 4, identifier);
            putShort(d, 6, sequence);
            for (int i = 0; i < PAYLOAD; i++) {
                d.set(ValueLayout.JAVA_BYTE, 8 + i, (byte) ('v' + i));
            }
            putShort(d, 2, checksum(d, 8 + PAYLOAD));
            b.setSockaddr(target.value(), 0);
            b.prepare(8 + PAYLOAD, 0);
            long n;
            do {
                n = Libc.sendmsg(b.callState, fd.fd(), b.msghdr, 0);
            } while (n < 0 && Libc.errno(b.callState) == Libc.EINTR && !fd.closed());
            if (n < 0) {
                throw Libc.exception("ICMP echo to " + target, Libc.errno(b.callState));
            }
        } finally {
            sendLock.unlock();
            fd.exit();
        }
    }

    /** Blocks until the next echo reply (other ICMP messages are skipped). */
    public EchoReply receive() throws IOException {
        receiveLock.lock();
        try {
            fd.enter();
            try {
                MessageBuffers b = receiveBuffers;
                while (true) {
                    long n;
                    do {
                        b.prepare(RECEIVE_CAPACITY, 0);
                        n = Libc.recvmsg(b.callState, fd.fd(), b.msghdr, 0);
                    } while (n < 0 && Libc.errno(b.callState) == Libc.EINTR && !fd.closed());
                    if (fd.closed()) {
                        throw new AsynchronousCloseException();
                    }
                    if (n < 0) {
                        throw Libc.exception("recvmsg on raw ICMP socket", Libc.errno(b.callState));
                    }
                    MemorySegment d = b.data();
                    // A raw IPv4 socket hands over the IP header too; its length is IHL words.
                    int headerLength = (d.get(ValueLayout.JAVA_BYTE, 0) & 0x0F) * 4;
                    if (n < headerLength + 8 || d.get(ValueLayout.JAVA_BYTE, headerLength) != ECHO_REPLY) {
                        continue;
                    }
                    return new EchoReply(new Ipv4Address(b.sockaddrAddress()),
                            getShort(d, headerLength + 4), getShort(d, headerLength + 6));
                }
            } finally {
                fd.exit();
            }
        } finally {
            receiveLock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        fd.shutdownAndClose(arena);
    }

    private static void putShort(MemorySegment d, int at, int value) {
        d.set(ValueLayout.JAVA_BYTE, at, (byte) (value >>> 8));
        d.set(ValueLayout.JAVA_BYTE, at + 1, (byte) value);
    }

    private static int getShort(MemorySegment d, int at) {
        return (d.get(ValueLayout.JAVA_BYTE, at) & 0xFF) << 8 | (d.get(ValueLayout.JAVA_BYTE, at + 1) & 0xFF);
    }

    /** The Internet checksum (RFC 1071) over {@code length} bytes with the checksum field zero. */
    static int checksum(MemorySegment d, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += getShort(d, i);
        }
        if ((length & 1) != 0) {
            sum += (d.get(ValueLayout.JAVA_BYTE, length - 1) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
