package dev.vmaddr.cni.plugin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One HTTP/1.1 request per connection ({@code Connection: close}) to the vmaddr API, over TCP,
 * TLS or a unix socket ({@code unix:/path}). Why not java.net.http: its client starts a selector
 * thread and loads some hundred classes, about half a second per plugin call on this machine (the
 * runtime execs the plugin for every pod); a blocking socket and a hand-written request line is all
 * one request needs. The unix socket is not network-namespaced, which is what lets a plugin running
 * in a container runtime's namespace reach a server on the host.
 */
final class PluginHttp {
    static final int CONNECT_TIMEOUT_MS = 3_000;
    static final int READ_TIMEOUT_MS = 20_000;

    record Response(int status, String body) {}

    /** The server could not be reached or did not answer (CNI "try again later"). */
    static final class Unreachable extends IOException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private PluginHttp() {}

    /** @param server {@code http://HOST:PORT}, {@code https://HOST:PORT} or {@code unix:/path} */
    static Response send(String server, String method, String path, String token, String body) throws Unreachable {
        String host;
        try (Conn c = connect(server)) {
            host = c.host;
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append("\r\n")
                    .append("Accept: application/json\r\nConnection: close\r\n");
            if (token != null) {
                head.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Type: application/json\r\n");
            }
            head.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
            c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            c.out.write(payload);
            c.out.flush();
            return parse(c.in.readAllBytes());
        } catch (Unreachable e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new Unreachable("vmaddr API at " + server + ": " + e, e);
        }
    }

    private static Response parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0) {
            throw new IOException("not an HTTP response");
        }
        String head = text.substring(0, end);
        int status = Integer.parseInt(head.substring(9, 12));
        String body = text.substring(end + 4);
        if (head.toLowerCase(java.util.Locale.ROOT).contains("\ntransfer-encoding: chunked")) {
            body = unchunk(body);
        }
        return new Response(status, body);
    }

    /** Chunk sizes count bytes; the UTF-8 text is re-encoded to cut it (the API answers are ASCII in practice). */
    private static String unchunk(String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = 0;
        while (true) {
            int eol = indexOfCrlf(b, p);
            if (eol < 0) {
                throw new IOException("truncated chunked body");
            }
            String size = new String(b, p, eol - p, StandardCharsets.ISO_8859_1).split(";")[0].strip();
            int n = Integer.parseInt(size, 16);
            if (n == 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            out.write(b, eol + 2, n);
            p = eol + 2 + n + 2;
        }
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int k = from; k + 1 < b.length; k++) {
            if (b[k] == '\r' && b[k + 1] == '\n') {
                return k;
            }
        }
        return -1;
    }

    private static final class Conn implements AutoCloseable {
        final String host;
        final InputStream in;
        final OutputStream out;
        final AutoCloseable closer;

        Conn(String host, InputStream in, OutputStream out, AutoCloseable closer) {
            this.host = host;
            this.in = in;
            this.out = out;
            this.closer = closer;
        }

        @Override
        public void close() throws IOException {
            try {
                closer.close();
            } catch (Exception e) {
                // closing after a complete answer: nothing to recover
            }
        }
    }

    private static Conn connect(String server) throws Unreachable {
        try {
            if (server.startsWith("unix:")) {
                // A blocking unix channel has no read timeout; the plugin's overall deadline covers it.
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(Path.of(server.substring("unix:".length()))));
                return new Conn("localhost", Channels.newInputStream(ch), Channels.newOutputStream(ch), ch);
            }
            URI uri = URI.create(server);
            boolean tls = "https".equals(uri.getScheme());
            int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
            Socket s = new Socket();
            s.connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            if (tls) {
                // loaded only for https servers: the TLS classes are most of a JVM's start-up
                s = ((javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault())
                        .createSocket(s, uri.getHost(), port, true);
                ((javax.net.ssl.SSLSocket) s).startHandshake();
            }
            return new Conn(uri.getHost() + ":" + port, s.getInputStream(), s.getOutputStream(), s);
        } catch (IOException | RuntimeException e) {
            throw new Unreachable("cannot connect to the vmaddr API at " + server + ": " + e.getMessage(), e);
        }
    }
}
