package dev.vmaddr.serve.multi;

import dev.vmaddr.testing.netns.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * {@code UnixForwarderMain HOST PORT SOCKET}: accepts TCP connections on HOST:PORT and joins each to a
 * new connection to the Unix socket SOCKET; prints {@code READY} once listening.
 *
 * <p>Why: a network namespace cannot reach the root namespace's 127.0.0.1, but a Unix socket is a
 * file and works across namespaces. Started inside a server's namespace, this makes PostgreSQL's
 * Unix socket (of a cluster running in the root namespace) a TCP port there, which the PostgreSQL
 * JDBC driver can use without a Unix-socket library. Two virtual threads per connection copy bytes.
 */
public final class UnixForwarderMain {
    private UnixForwarderMain() {}

    public static void main(String[] args) throws IOException {
        ChildJvm.exitWhenParentGoes();
        Path socket = Path.of(args[2]);
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 50, InetAddress.getByName(args[0]))) {
            System.out.println("READY");
            System.out.flush();
            while (true) {
                Socket tcp = server.accept();
                SocketChannel unix;
                try {
                    unix = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                } catch (IOException e) {
                    tcp.close(); // the database is down: the client sees its connection closed, as with a dead server
                    continue;
                }
                Thread.ofVirtual().start(() -> copy(tcp, unix, true));
                Thread.ofVirtual().start(() -> copy(tcp, unix, false));
            }
        }
    }

    private static void copy(Socket tcp, SocketChannel unix, boolean toUnix) {
        try (InputStream in = toUnix ? tcp.getInputStream() : Channels.newInputStream(unix);
             OutputStream out = toUnix ? Channels.newOutputStream(unix) : tcp.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed: close both below
        } finally {
            try {
                tcp.close();
                unix.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
