package dev.vmaddr.dhcp.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.util.Map;

/**
 * The few libc socket calls the transport needs, bound once through the FFM linker.
 *
 * <p>Every call takes a per-thread "call state" segment ({@link #newCallState}) as its first argument
 * because errno is only reliable if the linker captures it right after the call; reading it later
 * from Java would see whatever the JVM did in between.
 *
 * <p>Constants and layouts are Linux x86_64 (see /work/shared/notes/dhcp-on-linux.md).
 *
 * <p>Restricted FFM methods are confined to this class (and the layouts in {@link MessageBuffers}):
 * the launcher and surefire pass {@code --enable-native-access=ALL-UNNAMED}.
 */
@SuppressWarnings("restricted")
final class Libc {
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int IPPROTO_ICMP = 1;
    static final int SOCK_CLOEXEC = 0x80000; // child processes must not inherit port 67
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_BROADCAST = 6;
    static final int SO_RCVBUF = 8;
    static final int IPPROTO_IP = 0;
    static final int IP_PKTINFO = 8;
    static final int SHUT_RDWR = 2;
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_TRUNC = 0x20;

    static final int AF_INET6 = 10;
    static final int IPPROTO_IPV6 = 41;
    static final int IPPROTO_ICMPV6 = 58;
    static final int IPV6_UNICAST_HOPS = 16;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_JOIN_GROUP = 20;
    static final int IPV6_V6ONLY = 26;
    static final int IPV6_RECVPKTINFO = 49;
    static final int IPV6_PKTINFO = 50;
    /** Level IPPROTO_ICMPV6: which ICMPv6 types a raw socket is handed. */
    static final int ICMP6_FILTER = 1;

    static final int EINTR = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = bind("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RECVMSG = bind("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG = bind("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = bind("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // glibc >= 2.32 returns static text for every known errno, so strerror is safe from any thread.
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    // Symbolic names make log lines searchable; strerror text alone varies with the libc locale.
    private static final Map<Integer, String> ERRNO_NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(4, "EINTR"), Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
            Map.entry(19, "ENODEV"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"), Map.entry(32, "EPIPE"),
            Map.entry(90, "EMSGSIZE"), Map.entry(97, "EAFNOSUPPORT"), Map.entry(98, "EADDRINUSE"),
            Map.entry(99, "EADDRNOTAVAIL"), Map.entry(100, "ENETDOWN"), Map.entry(101, "ENETUNREACH"),
            Map.entry(105, "ENOBUFS"), Map.entry(107, "ENOTCONN"), Map.entry(111, "ECONNREFUSED"),
            Map.entry(113, "EHOSTUNREACH"));

    private Libc() {}

    private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, CAPTURE_ERRNO);
    }

    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    static int socket(MemorySegment cs, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(cs, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int setsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(cs, fd, level, name, value, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int bind(MemorySegment cs, int fd, MemorySegment addr, int length) {
        try {
            return (int) BIND.invokeExact(cs, fd, addr, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int getsockname(MemorySegment cs, int fd, MemorySegment addr, MemorySegment lengthInOut) {
        try {
            return (int) GETSOCKNAME.invokeExact(cs, fd, addr, lengthInOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long recvmsg(MemorySegment cs, int fd, MemorySegment msghdr, int flags) {
        try {
            return (long) RECVMSG.invokeExact(cs, fd, msghdr, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long sendmsg(MemorySegment cs, int fd, MemorySegment msghdr, int flags) {
        try {
            return (long) SENDMSG.invokeExact(cs, fd, msghdr, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int shutdown(MemorySegment cs, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(cs, fd, how);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int close(MemorySegment cs, int fd) {
        try {
            return (int) CLOSE.invokeExact(cs, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** "No such device (ENODEV, errno 19)". */
    static String describe(int errno) {
        String text;
        try {
            text = ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(1024).getString(0);
        } catch (Throwable t) {
            text = "error";
        }
        return text + " (" + ERRNO_NAMES.getOrDefault(errno, "errno") + ", errno " + errno + ")";
    }

    /** An IOException whose message says what was attempted and what the kernel answered. */
    static IOException exception(String operation, int errno) {
        String message = operation + ": " + describe(errno);
        return switch (errno) {
            case 98, 99 -> new BindException(message);
            case 101, 113 -> new NoRouteToHostException(message);
            default -> new IOException(message);
        };
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
