package dev.vmaddr.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a unix socket, one request per connection ({@code Connection: close}), for
 * {@code --api unix:/path}: java.net.http cannot dial a unix socket, and one request with a
 * Content-Length, read back to the end of the connection, is all the CLI needs. Reads the answer's
 * Content-Length or chunked body; bounded in size and time.
 */
final class UnixSocketHttp {
    /** No answer of ours is near this; a larger one is a wrong peer, not a page to buffer. */
    private static final int MAX_ANSWER_BYTES = 256 << 20;

    record Answer(int status, String body) {}

    private final Path socket;

    UnixSocketHttp(Path socket) {
        this.socket = socket;
    }

    /** Throws {@link java.net.ConnectException} when nothing listens on the socket. */
    Answer send(String method, String target, Map<String, String> headers, String body, Duration timeout) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\nConnection: close\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body != null || !method.equals("GET")) {
            head.append("Content-Length: ").append(content.length).append("\r\n");
        }
        head.append("\r\n");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector selector = Selector.open()) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new java.net.ConnectException("cannot connect to unix:" + socket + ": " + e.getMessage());
            }
            ch.configureBlocking(false);
            write(ch, selector, ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1)), deadline);
            write(ch, selector, ByteBuffer.wrap(content), deadline);
            return parse(readAll(ch, selector, deadline));
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

    private static byte[] readAll(SocketChannel ch, Selector selector, long deadline) throws IOException {
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
            if (out.size() > MAX_ANSWER_BYTES) {
                throw new IOException("the answer is larger than " + MAX_ANSWER_BYTES + " bytes");
            }
        }
    }

    private static void await(Selector selector, long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0 || selector.select(left) == 0 && System.nanoTime() >= deadline) {
            throw new HttpTimeoutException("no answer in time");
        }
        selector.selectedKeys().clear();
    }

    /** Status line, headers, then the body by Content-Length, chunks, or to the end. */
    static Answer parse(byte[] raw) throws IOException {
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
                length = Long.parseLong(value);
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
            body = java.util.Arrays.copyOfRange(raw, start, (int) (start + length));
        } else {
            body = java.util.Arrays.copyOfRange(raw, start, raw.length);
        }
        return new Answer(code, new String(body, StandardCharsets.UTF_8));
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
