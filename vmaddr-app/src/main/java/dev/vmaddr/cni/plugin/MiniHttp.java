package dev.vmaddr.cni.plugin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request per connection ({@code Connection: close}) to the vmaddr API, over TCP,
 * TLS or a unix socket ({@code unix:/path}); the answer is read to the end of the connection and
 * cut by its Content-Length or chunks. Bounded in size and time.
 *
 * <p>Two users: the CNI plugin, for every server kind, and the CLI, for {@code --api unix:/path}.
 * Why not java.net.http: it cannot dial a unix socket, and its client starts a selector thread and
 * loads some hundred classes, about half a second per plugin call on this machine (the runtime execs
 * the plugin for every pod). It lives in the plugin package because the plugin may use only that
 * package and java.base (LayerDirectionTest), while the CLI may use the plugin's package.
 * The unix socket is not network-namespaced, which is what lets a plugin running in a container
 * runtime's namespace reach a server on the host.
 */
public final class MiniHttp {
    /** No answer of ours is near this; a larger one is a wrong peer, not a page to buffer. */
    private static final int MAX_ANSWER_BYTES = 256 << 20;
    private static final int CONNECT_TIMEOUT_MS = 3_000;

    public record Response(int status, String body) {}

    private MiniHttp() {}

    /**
     * @param server  {@code http://HOST:PORT}, {@code https://HOST:PORT} or {@code unix:/path}
     * @param headers sent as given (Authorization, Content-Type ...); Host, Connection and Content-Length are added
     * @throws ConnectException       nothing listens at {@code server}
     * @throws SocketTimeoutException no complete answer within {@code timeout}
     */
    public static Response send(String server, String method, String target, Map<String, String> headers, String body,
                                Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (server.startsWith("unix:")) {
            Path socket = Path.of(server.substring("unix:".length()));
            byte[] head = head(method, target, "localhost", headers, body != null, content.length);
            return parse(unixExchange(socket, head, content, deadline));
        }
        URI uri = URI.create(server);
        boolean tls = "https".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
        byte[] head = head(method, target, uri.getHost() + ":" + port, headers, body != null, content.length);
        try (Socket s = tcp(uri.getHost(), port, tls, deadline)) {
            OutputStream out = s.getOutputStream();
            out.write(head);
            out.write(content);
            out.flush();
            return parse(readAll(s.getInputStream()));
        }
    }

    private static byte[] head(String method, String target, String host, Map<String, String> headers, boolean hasBody,
                               int length) {
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\nConnection: close\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (hasBody || !method.equals("GET")) {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Socket tcp(String host, int port, boolean tls, long deadline) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(CONNECT_TIMEOUT_MS, millisLeft(deadline))));
            s.setSoTimeout((int) Math.max(1, millisLeft(deadline)));
            if (tls) {
                // loaded only for https servers: the TLS classes are most of a JVM's start-up
                s = ((javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault()).createSocket(s, host, port, true);
                ((javax.net.ssl.SSLSocket) s).startHandshake();
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A unix channel has no SO_TIMEOUT: non-blocking reads and writes with a selector keep the deadline. */
    private static byte[] unixExchange(Path socket, byte[] head, byte[] content, long deadline) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector selector = Selector.open()) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new ConnectException("cannot connect to unix:" + socket + ": " + e.getMessage());
            }
            ch.configureBlocking(false);
            write(ch, selector, ByteBuffer.wrap(head), deadline);
            write(ch, selector, ByteBuffer.wrap(content), deadline);
            ch.register(selector, SelectionKey.OP_READ);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            while (true) {
                int n = ch.read(buf);
                if (n < 0) {
                    return out.toByteArray();
                }
                if (n == 0) {
                    await(selector, deadline);
                    continue;
                }
                out.write(buf.array(), 0, buf.position());
                buf.clear();
                bound(out);
            }
        }
    }

    private static void write(SocketChannel ch, Selector selector, ByteBuffer buf, long deadline) throws IOException {
        SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
        while (buf.hasRemaining()) {
            if (ch.write(buf) == 0) {
                await(selector, deadline);
            }
        }
        key.cancel();
        selector.selectNow(); // flush the cancelled key before the channel is registered again
    }

    private static void await(Selector selector, long deadline) throws IOException {
        long left = millisLeft(deadline);
        if (left <= 0 || selector.select(left) == 0 && System.nanoTime() >= deadline) {
            throw new SocketTimeoutException("no answer in time");
        }
        selector.selectedKeys().clear();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
            bound(out);
        }
        return out.toByteArray();
    }

    private static void bound(ByteArrayOutputStream out) throws IOException {
        if (out.size() > MAX_ANSWER_BYTES) {
            throw new IOException("the answer is larger than " + MAX_ANSWER_BYTES + " bytes");
        }
    }

    private static long millisLeft(long deadline) {
        return (deadline - System.nanoTime()) / 1_000_000;
    }

    /** Status line, headers, then the body by Content-Length, chunks, or to the end. */
    static Response parse(byte[] raw) throws IOException {
        int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
        if (headEnd < 0) {
            throw new IOException("the server's answer has no complete HTTP head");
        }
        String[] lines = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + lines[0]);
        }
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + lines[0]);
        }
        long length = -1;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            if (name.equals("content-length")) {
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length \"" + value + "\"");
                }
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        int start = headEnd + 4;
        byte[] body;
        if (chunked) {
            body = dechunk(raw, start);
        } else if (length >= 0) {
            if (start + length > raw.length) {
                throw new IOException("the answer ended before its Content-Length");
            }
            body = Arrays.copyOfRange(raw, start, (int) (start + length));
        } else {
            body = Arrays.copyOfRange(raw, start, raw.length);
        }
        return new Response(code, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] raw, int at) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] crlf = {'\r', '\n'};
        while (true) {
            int lineEnd = indexOf(raw, crlf, at);
            if (lineEnd < 0) {
                throw new IOException("the answer ended inside a chunk header");
            }
            String sizeText = new String(raw, at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int semi = sizeText.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semi >= 0 ? sizeText.substring(0, semi) : sizeText).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size \"" + sizeText + "\"");
            }
            at = lineEnd + 2;
            if (size == 0) {
                return out.toByteArray();
            }
            if (size < 0 || at + size > raw.length) {
                throw new IOException("the answer ended inside a chunk");
            }
            out.write(raw, at, size);
            at += size + 2;
        }
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
