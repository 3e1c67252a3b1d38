package dev.vmaddr.cni;

import dev.vmaddr.cni.plugin.TrainingRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Trains a JDK AOT cache ({@code -XX:AOTCacheOutput}, JEP 514) for the installed plugin: one ADD
 * over http and one over a unix socket ({@link TrainingRun}), run with the plugin's own flags against
 * canned answers from sockets here, so the cache holds the classes of the path every pod takes
 * (config, HTTP over either transport, result) already loaded and linked. With only the http path
 * trained, a plugin configured with {@code unix:} loaded its selector classes from the JDK's modules:
 * about 45 % more CPU per call.
 * Measured on this machine: about 40 % less CPU per call (docs/cni.md). The cache belongs to this
 * JDK and this jar; with another the JVM refuses it (silently: the plugin runs with
 * {@code -Xlog:disable}, since the JVM would print its warning on stdout, the CNI result) and the
 * plugin just starts slower.
 */
final class AotTraining {
    private static final String ANSWER = "{\"ip\":\"198.18.0.10\",\"prefixLength\":24,\"gateway\":\"198.18.0.1\","
            + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"198.18.0.1\"}],\"dns\":[\"198.18.0.53\"],\"domain\":\"example\","
            + "\"mtu\":null,\"mac\":\"02:00:00:00:00:01\",\"holder\":\"container training/net1\"}";

    private AotTraining() {}

    /** Writes {@code cache}; returns false (and leaves none) when training fails, which costs only start-up. */
    static boolean train(Path java, List<String> flags, Path jar, Path cache) throws IOException {
        Path tmp = cache.resolveSibling("." + cache.getFileName() + ".tmp");
        Path socket = cache.resolveSibling("." + cache.getFileName() + ".sock");
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(socket);
        try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            unix.bind(UnixDomainSocketAddress.of(socket));
            Thread tcpResponder = Thread.ofVirtual().start(() -> {
                try (Socket s = tcp.accept()) {
                    s.setSoTimeout(60_000);
                    answer(s.getInputStream(), s.getOutputStream());
                } catch (IOException | RuntimeException e) {
                    // the training run then fails and no cache is written
                }
            });
            Thread unixResponder = Thread.ofVirtual().start(() -> {
                try (SocketChannel ch = unix.accept()) {
                    answer(Channels.newInputStream(ch), Channels.newOutputStream(ch));
                } catch (IOException | RuntimeException e) {
                    // the training run then fails and no cache is written
                }
            });
            List<String> cmd = new ArrayList<>(List.of(java.toString()));
            cmd.addAll(flags);
            cmd.addAll(List.of("-XX:AOTCacheOutput=" + tmp, "-cp", jar.toString(), TrainingRun.class.getName(),
                    "http://127.0.0.1:" + tcp.getLocalPort(), "unix:" + socket));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            tcpResponder.interrupt();
            unixResponder.interrupt();
            if (!done) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0 || !Files.exists(tmp)) {
                Files.deleteIfExists(tmp);
                return false;
            }
            Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Files.deleteIfExists(tmp);
            return false;
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    /** Reads one request and writes the canned answer. */
    private static void answer(InputStream in, OutputStream out) throws IOException {
        // read the head, then the body its Content-Length announces
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            head.append((char) c);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).strip());
        in.readNBytes(length);
        byte[] body = ANSWER.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }
}
