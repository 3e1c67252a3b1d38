package dev.vmaddr.dhcp.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@link MessageBuffers} for IPv6: {@code sockaddr_in6} (28 B: family, port, flowinfo, address,
 * scope id) and {@code in6_pktinfo} (20 B: address, ifindex) control messages. Not thread-safe,
 * like its IPv4 twin. Offsets are Linux x86_64.
 */
final class Ipv6MessageBuffers {
    static final int SOCKADDR_IN6_SIZE = 28;
    static final int IN6_PKTINFO_SIZE = 20;
    static final int PKTINFO_CMSG_SPACE = MessageBuffers.CMSG_HEADER_SIZE + ((IN6_PKTINFO_SIZE + 7) & ~7);
    private static final int IOVEC_SIZE = 16;
    private static final int MSGHDR_SIZE = 56;
    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    final MemorySegment callState;
    final MemorySegment sockaddr;
    final MemorySegment msghdr;
    final MemorySegment control;
    private final MemorySegment iov;
    private final MemorySegment data;

    Ipv6MessageBuffers(Arena arena, int dataCapacity, int controlCapacity) {
        this.callState = Libc.newCallState(arena);
        this.sockaddr = arena.allocate(SOCKADDR_IN6_SIZE, 8);
        this.iov = arena.allocate(IOVEC_SIZE, 8);
        this.msghdr = arena.allocate(MSGHDR_SIZE, 8);
        this.control = arena.allocate(Math.max(controlCapacity, 8), 8);
        this.data = arena.allocate(Math.max(dataCapacity, 8), 8);
        msghdr.set(ValueLayout.ADDRESS, 0, sockaddr);
        msghdr.set(ValueLayout.ADDRESS, 16, iov);
        msghdr.set(JAVA_LONG, 24, 1L);
        iov.set(ValueLayout.ADDRESS, 0, data);
    }

    MemorySegment data() {
        return data;
    }

    void prepare(int dataLength, int controlLength) {
        msghdr.set(JAVA_INT, 8, SOCKADDR_IN6_SIZE);
        iov.set(JAVA_LONG, 8, dataLength);
        msghdr.set(ValueLayout.ADDRESS, 32, controlLength == 0 ? MemorySegment.NULL : control);
        msghdr.set(JAVA_LONG, 40, controlLength);
        msghdr.set(JAVA_INT, 48, 0);
    }

    void setSockaddr(byte[] address, int port, int scopeId) {
        sockaddr.fill((byte) 0);
        sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET6);
        sockaddr.set(NET_SHORT, 2, (short) port);
        MemorySegment.copy(address, 0, sockaddr, JAVA_BYTE, 8, 16);
        sockaddr.set(JAVA_INT, 24, scopeId);
    }

    int sockaddrPort() {
        return Short.toUnsignedInt(sockaddr.get(NET_SHORT, 2));
    }

    byte[] sockaddrAddress() {
        return sockaddr.asSlice(8, 16).toArray(JAVA_BYTE);
    }

    /** One IPV6_PKTINFO control message naming the outgoing interface; returns the control length. */
    int setPktinfo(int ifIndex) {
        control.fill((byte) 0);
        control.set(JAVA_LONG, 0, MessageBuffers.CMSG_HEADER_SIZE + IN6_PKTINFO_SIZE);
        control.set(JAVA_INT, 8, Libc.IPPROTO_IPV6);
        control.set(JAVA_INT, 12, Libc.IPV6_PKTINFO);
        control.set(JAVA_INT, MessageBuffers.CMSG_HEADER_SIZE + 16, ifIndex);
        return PKTINFO_CMSG_SPACE;
    }

    /** Offset of the {@code in6_pktinfo} the kernel returned inside {@link #control}, or -1. */
    long findPktinfo() {
        long end = Math.min(msghdr.get(JAVA_LONG, 40), control.byteSize());
        long offset = 0;
        while (offset + MessageBuffers.CMSG_HEADER_SIZE <= end) {
            long len = control.get(JAVA_LONG, offset);
            if (len < MessageBuffers.CMSG_HEADER_SIZE || offset + len > end) {
                return -1;
            }
            if (control.get(JAVA_INT, offset + 8) == Libc.IPPROTO_IPV6
                    && control.get(JAVA_INT, offset + 12) == Libc.IPV6_PKTINFO
                    && len >= MessageBuffers.CMSG_HEADER_SIZE + IN6_PKTINFO_SIZE) {
                return offset + MessageBuffers.CMSG_HEADER_SIZE;
            }
            offset += (len + 7) & ~7L;
        }
        return -1;
    }

    byte[] pktinfoAddress(long at) {
        return control.asSlice(at, 16).toArray(JAVA_BYTE);
    }

    int pktinfoIfIndex(long at) {
        return control.get(JAVA_INT, at + 16);
    }

    byte[] copyData(int length) {
        return data.asSlice(0, length).toArray(JAVA_BYTE);
    }
}
