package dev.vmaddr.dhcp.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Native memory for one {@code recvmsg}/{@code sendmsg}: call state (errno), {@code sockaddr_in},
 * one {@code iovec}, {@code msghdr}, control buffer and data buffer, all wired together once.
 *
 * <p>Not thread-safe: each instance belongs to one thread at a time (the receiver, or one sending
 * thread). Allocating them per packet would cost a malloc/free pair on the hot path.
 *
 * <p>Offsets are Linux x86_64: sockaddr_in 16 B, iovec 16 B, msghdr 56 B, cmsghdr header 16 B,
 * in_pktinfo 12 B.
 */
final class MessageBuffers {
    static final int SOCKADDR_IN_SIZE = 16;
    static final int CMSG_HEADER_SIZE = 16;
    static final int IN_PKTINFO_SIZE = 12;
    /** CMSG_SPACE(sizeof(in_pktinfo)): header plus data rounded up to 8. */
    static final int PKTINFO_CMSG_SPACE = CMSG_HEADER_SIZE + ((IN_PKTINFO_SIZE + 7) & ~7);

    private static final int IOVEC_SIZE = 16;
    private static final int MSGHDR_SIZE = 56;
    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Arena arena;
    final MemorySegment callState;
    final MemorySegment sockaddr;
    final MemorySegment msghdr;
    final MemorySegment control;
    private final MemorySegment iov;
    private MemorySegment data;

    MessageBuffers(Arena arena, int dataCapacity, int controlCapacity) {
        this.arena = arena;
        this.callState = Libc.newCallState(arena);
        this.sockaddr = arena.allocate(SOCKADDR_IN_SIZE, 8);
        this.iov = arena.allocate(IOVEC_SIZE, 8);
        this.msghdr = arena.allocate(MSGHDR_SIZE, 8);
        this.control = arena.allocate(controlCapacity, 8);
        this.data = arena.allocate(dataCapacity, 8);
        msghdr.set(ValueLayout.ADDRESS, 0, sockaddr);
        msghdr.set(ValueLayout.ADDRESS, 16, iov);
        msghdr.set(JAVA_LONG, 24, 1L);
        iov.set(ValueLayout.ADDRESS, 0, data);
    }

    MemorySegment data() {
        return data;
    }

    /** Grows the data buffer (send side) so a datagram of {@code size} bytes fits. */
    void ensureDataCapacity(int size) {
        if (data.byteSize() < size) {
            data = arena.allocate(Math.max(size, data.byteSize() * 2), 8);
            iov.set(ValueLayout.ADDRESS, 0, data);
        }
    }

    /** Sets lengths the kernel reads (send) or the room it may fill (receive). */
    void prepare(int dataLength, int controlLength) {
        msghdr.set(JAVA_INT, 8, SOCKADDR_IN_SIZE);
        iov.set(JAVA_LONG, 8, dataLength);
        msghdr.set(ValueLayout.ADDRESS, 32, controlLength == 0 ? MemorySegment.NULL : control);
        msghdr.set(JAVA_LONG, 40, controlLength);
        msghdr.set(JAVA_INT, 48, 0);
    }

    int flags() {
        return msghdr.get(JAVA_INT, 48);
    }

    long controlLength() {
        return msghdr.get(JAVA_LONG, 40);
    }

    /** Network-order IPv4 address as an int: first octet in the high byte. */
    void setSockaddr(int address, int port) {
        sockaddr.fill((byte) 0);
        sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
        sockaddr.set(NET_SHORT, 2, (short) port);
        sockaddr.set(NET_INT, 4, address);
    }

    int sockaddrPort() {
        return Short.toUnsignedInt(sockaddr.get(NET_SHORT, 2));
    }

    int sockaddrAddress() {
        return sockaddr.get(NET_INT, 4);
    }

    /** Writes one IP_PKTINFO control message; returns the control length to pass to sendmsg. */
    int setPktinfo(int ifIndex, int specDst) {
        control.fill((byte) 0);
        control.set(JAVA_LONG, 0, CMSG_HEADER_SIZE + IN_PKTINFO_SIZE);
        control.set(JAVA_INT, 8, Libc.IPPROTO_IP);
        control.set(JAVA_INT, 12, Libc.IP_PKTINFO);
        control.set(JAVA_INT, 16, ifIndex);
        control.set(NET_INT, 20, specDst);
        return PKTINFO_CMSG_SPACE;
    }

    /**
     * Finds IP_PKTINFO among the control messages the kernel returned.
     *
     * @return offset of the {@code in_pktinfo} inside {@link #control}, or -1 if absent
     */
    long findPktinfo() {
        long end = Math.min(controlLength(), control.byteSize());
        long offset = 0;
        while (offset + CMSG_HEADER_SIZE <= end) {
            long len = control.get(JAVA_LONG, offset);
            if (len < CMSG_HEADER_SIZE || offset + len > end) {
                return -1;
            }
            if (control.get(JAVA_INT, offset + 8) == Libc.IPPROTO_IP
                    && control.get(JAVA_INT, offset + 12) == Libc.IP_PKTINFO
                    && len >= CMSG_HEADER_SIZE + IN_PKTINFO_SIZE) {
                return offset + CMSG_HEADER_SIZE;
            }
            offset += (len + 7) & ~7L;
        }
        return -1;
    }

    int pktinfoIfIndex(long at) {
        return control.get(JAVA_INT, at);
    }

    /** {@code ipi_addr}: the header destination address. */
    int pktinfoAddr(long at) {
        return control.get(NET_INT, at + 8);
    }

    byte[] copyData(int length) {
        return data.asSlice(0, length).toArray(JAVA_BYTE);
    }
}
