package dev.vmaddr.api.ui;

import dev.vmaddr.testing.netns.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code UnixToTcpMain SOCKET HOST PORT}: listens on the Unix socket SOCKET and joins each connection
 * to a new TCP connection to HOST:PORT; prints {@code READY} once listening. The mirror of
 * {@link dev.vmaddr.serve.multi.UnixForwarderMain}.
 *
 * <p>Why: the browser runs in the root namespace and may only reach 127.0.0.1 there; a server inside a
 * lab namespace listens on that namespace's own 127.0.0.1. Started inside the lab, this exposes the
 * server's port as a socket file, which {@code UnixForwarderMain} in the root namespace turns into a
 * root 127.0.0.1 port. No address or link of the root namespace changes.
 */
public final class UnixToTcpMain {
    private UnixToTcpMain() {}

    public static void main(String[] args) throws IOException {
        ChildJvm.exitWhenParentGoes();
        Path socket = Path.of(args[0]);
        InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("READY");
            System.out.flush();
            while (true) {
                SocketChannel unix = server.accept();
                SocketChannel tcp;
                try {
                    tcp = SocketChannel.open(target);
                } catch (IOException e) {
                    unix.close(); // the server is down: the client sees its connection closed
                    continue;
                }
                Thread.ofVirtual().start(() -> copy(unix, tcp));
                Thread.ofVirtual().start(() -> copy(tcp, unix));
            }
        }
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        try (InputStream in = Channels.newInputStream(from); OutputStream out = Channels.newOutputStream(to)) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed: close both below
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
