package dev.vmaddr.testing;

import dev.vmaddr.testing.netns.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A byte forwarder between a TCP port and a Unix socket, in either direction: in this JVM
 * ({@link #unixToTcp(Path, String, int)}, closed with the test) or as a child JVM's main (then it
 * prints {@code READY} once listening and exits when its parent JVM goes):
 * <ul>
 *   <li>{@code Forwarder tcp-to-unix HOST PORT SOCKET}: accepts TCP on HOST:PORT, joins each
 *       connection to a new one to SOCKET;</li>
 *   <li>{@code Forwarder unix-to-tcp SOCKET HOST PORT}: listens on SOCKET (replacing a stale file),
 *       joins each connection to a new TCP connection to HOST:PORT.</li>
 * </ul>
 *
 * <p>Why: a network namespace cannot reach another namespace's 127.0.0.1, but a Unix socket is a
 * file and works across namespaces. {@code tcp-to-unix} inside a namespace makes PostgreSQL's Unix
 * socket a TCP port there (the JDBC driver has no Unix-socket support); {@code unix-to-tcp} lets a
 * CNI plugin in a node namespace reach a test server's loopback port, and, inside a lab plus
 * {@code tcp-to-unix} in the root namespace, lets a browser there reach a server in the lab.
 * No address or link of the root namespace changes. Two virtual threads per connection copy bytes.
 */
public final class Forwarder implements AutoCloseable {
    private final ServerSocketChannel server;
    private final SocketAddress target;
    private final Path socketFile;

    private Forwarder(ServerSocketChannel server, SocketAddress target, Path socketFile) {
        this.server = server;
        this.target = target;
        this.socketFile = socketFile;
    }

    /** Listens on {@code socket} (a stale file is replaced) and forwards to TCP {@code host:port}; call {@link #start()}. */
    public static Forwarder unixToTcp(Path socket, String host, int port) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new Forwarder(server, new InetSocketAddress(host, port), socket);
    }

    /** Listens on TCP {@code host:port} and forwards to {@code socket}; call {@link #start()}. */
    public static Forwarder tcpToUnix(String host, int port, Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        server.bind(new InetSocketAddress(host, port), 50);
        return new Forwarder(server, UnixDomainSocketAddress.of(socket), null);
    }

    /** The arguments for a child JVM running {@link #tcpToUnix}. */
    public static String[] tcpToUnixArgs(String host, int port, Path socket) {
        return new String[] {"tcp-to-unix", host, String.valueOf(port), socket.toString()};
    }

    /** The arguments for a child JVM running {@link #unixToTcp}. */
    public static String[] unixToTcpArgs(Path socket, String host, int port) {
        return new String[] {"unix-to-tcp", socket.toString(), host, String.valueOf(port)};
    }

    public static void main(String[] args) throws IOException {
        ChildJvm.exitWhenParentGoes();
        try (Forwarder f = switch (args[0]) {
            case "tcp-to-unix" -> tcpToUnix(args[1], Integer.parseInt(args[2]), Path.of(args[3]));
            case "unix-to-tcp" -> unixToTcp(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("tcp-to-unix HOST PORT SOCKET | unix-to-tcp SOCKET HOST PORT");
        }) {
            System.out.println("READY");
            System.out.flush();
            f.acceptLoop();
        }
    }

    /** Accepts and forwards on its own (platform, see NetnsProcess) threads until {@link #close()}. */
    public Forwarder start() {
        Thread.ofPlatform().daemon().name("forwarder-accept").start(this::acceptLoop);
        return this;
    }

    /** {@code unix:/path} of a {@link #unixToTcp} forwarder: the API address a plugin or CLI dials. */
    public String url() {
        return "unix:" + socketFile;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            SocketChannel out;
            try {
                out = SocketChannel.open(target);
            } catch (IOException e) {
                closeQuietly(in); // the far side is down: the client sees its connection closed, as with a dead server
                continue;
            }
            Thread.ofPlatform().daemon().start(() -> copy(in, out));
            Thread.ofPlatform().daemon().start(() -> copy(out, in));
        }
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        try (InputStream in = Channels.newInputStream(from); OutputStream out = Channels.newOutputStream(to)) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed: close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (socketFile != null) {
            Files.deleteIfExists(socketFile);
        }
    }
}
