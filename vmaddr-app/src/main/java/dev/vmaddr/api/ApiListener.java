package dev.vmaddr.api;

import dev.vmaddr.config.VmaddrConfig.Listen;
import dev.vmaddr.config.VmaddrConfig.Tls;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The one connector the API listens on: plain HTTP on HOST:PORT, HTTPS on HOST:PORT (TLS 1.2 and
 * 1.3 only, no plain HTTP beside it), or HTTP on a unix socket (mode 0660, optionally given a group;
 * who may connect is decided by the file's permissions, so it needs no TLS).
 *
 * @param tls         null unless HTTPS
 * @param socketGroup null: the socket keeps the process's group
 */
public record ApiListener(Listen listen, Tls tls, String socketGroup) {
    public static ApiListener plain(Listen listen) {
        return new ApiListener(listen, null, null);
    }

    /** The connector for Javalin's {@code addConnector}; {@code ssl} is the factory a {@link TlsReloader} renews. */
    Connector connector(Server server, HttpConfiguration shared, SslContextFactory.Server ssl) throws IOException {
        HttpConfiguration http = new HttpConfiguration(shared);
        if (listen.isUnix()) {
            prepareSocketPath(listen.socket());
            UnixDomainServerConnector c = new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
            c.setUnixDomainPath(listen.socket());
            return c;
        }
        ServerConnector c;
        if (ssl != null) {
            // The certificate is checked by the client; the server does not also insist that the Host
            // header match it (clients reach one server by IP, name or loopback alike).
            http.addCustomizer(new SecureRequestCustomizer(false));
            c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            c = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        c.setHost(listen.host());
        c.setPort(listen.port());
        return c;
    }

    /** The TLS settings: the key store from the PEM files, TLS 1.2 and 1.3 only. Null without TLS. */
    SslContextFactory.Server sslContextFactory() throws IOException {
        if (tls == null) {
            return null;
        }
        SslContextFactory.Server f = new SslContextFactory.Server();
        f.setKeyStore(PemKeys.keyStore(tls.cert(), tls.key()));
        f.setKeyStorePassword(PemKeys.PASSWORD);
        f.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        f.setSniRequired(false);
        return f;
    }

    /** The port bound (HOST:PORT listeners), -1 on a unix socket. */
    static int localPort(Server server) {
        return server.getConnectors()[0] instanceof NetworkConnector n ? n.getLocalPort() : -1;
    }

    /** After the socket is bound: mode 0660 and the configured group. */
    void restrictSocket() throws IOException {
        if (!listen.isUnix()) {
            return;
        }
        Path socket = listen.socket();
        // Following links (the socket is what Jetty just bound): with NOFOLLOW_LINKS the JDK opens the
        // file to change it, and a socket cannot be opened (ENXIO).
        PosixFileAttributeView view = Files.getFileAttributeView(socket, PosixFileAttributeView.class);
        if (socketGroup != null) {
            GroupPrincipal group = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(socketGroup);
            view.setGroup(group);
        }
        view.setPermissions(PosixFilePermissions.fromString("rw-rw----"));
    }

    /**
     * Makes the socket's directory, and removes a socket left by a server that died without closing
     * it (nothing answers on it). A live socket or a file that is not a socket is left alone; binding
     * then fails with a clear error.
     */
    private static void prepareSocketPath(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(socket + " exists and is not a socket");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException("another server already listens on " + socket);
        } catch (java.net.ConnectException stale) {
            Files.delete(socket);
        }
    }
}
