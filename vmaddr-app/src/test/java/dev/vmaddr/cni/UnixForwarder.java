package dev.vmaddr.cni;

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
 * A unix socket in front of the test server's loopback port. The plugin runs in a node namespace
 * whose loopback is not the server's; a unix socket path is not namespaced, so this is how a
 * runtime's namespace reaches a host server (PRODUCT.md {@code api.listen: unix:/path}). It stands
 * in for the API's own unix listener, which another branch adds; the plugin's side is the real one.
 */
final class UnixForwarder implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    UnixForwarder(Path socket, int tcpPort) throws IOException {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel client = server.accept();
                    SocketChannel upstream = SocketChannel.open(new InetSocketAddress("127.0.0.1", tcpPort));
                    pump(Channels.newInputStream(client), Channels.newOutputStream(upstream), upstream);
                    pump(Channels.newInputStream(upstream), Channels.newOutputStream(client), client);
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    String url() {
        return "unix:" + socket;
    }

    private static void pump(InputStream in, OutputStream out, SocketChannel target) {
        Thread.ofVirtual().start(() -> {
            try (in; out) {
                in.transferTo(out);
            } catch (IOException e) {
                // the other side closed
            }
            try {
                target.close();
            } catch (IOException e) {
                // already closed
            }
        });
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
        Files.deleteIfExists(socket);
    }
}
