package dev.vmaddr.serve;

import dev.vmaddr.addr.Ipv4Address;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A relay on loopback for {@link DhcpWarmup}'s clients: their requests leave 127.0.0.2:67 for a
 * private server's socket on 127.0.0.1, and that server's replies come back to 127.0.0.2:67 (RFC 2131
 * 4.1: replies to a relay go to its port 67). So the private server runs the socket transport the
 * real server runs ({@code FfmUdpTransport}: its receive and send, its descriptor lock, its native
 * buffers), not the in-memory double, and the JIT has compiled that too before the first real
 * request (measured: without it, the first real packets trapped at the transport's class in the
 * reply path and C2 compiled the socket path, ~0.5 s of a core, while the first clients came).
 *
 * <p>Port 67 needs the privilege the server's own socket needs; this socket is bound like that one,
 * with SO_REUSEADDR, and as the more specific address it alone receives what is sent to
 * 127.0.0.2:67 (the server's 0.0.0.0:67 gets nothing of it). Where it cannot be bound (no privilege,
 * no loopback), {@link #open} fails and the warm-up stays in memory.
 *
 * <p>One thread (the warm-up's) sends and receives; replies are read in waves of at most
 * {@link #maxWave} requests so the sockets' receive buffers never overflow on the way.
 */
final class LoopbackRelay implements TrainingClients.Link, AutoCloseable {
    static final Ipv4Address ADDRESS = Ipv4Address.parse("127.0.0.2");
    private static final int RELAY_PORT = 67;
    private static final int WAVE = 64;
    private static final int POLL_MILLIS = 100;

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final byte[] buffer = new byte[2048];

    private LoopbackRelay(DatagramSocket socket, InetSocketAddress server) {
        this.socket = socket;
        this.server = server;
    }

    /** A relay for a server listening on {@code serverPort} on 127.0.0.1. */
    static LoopbackRelay open(int serverPort) throws IOException {
        DatagramSocket s = new DatagramSocket(null);
        try {
            s.setReuseAddress(true);
            s.setReceiveBufferSize(1 << 20);
            s.bind(new InetSocketAddress(ADDRESS.toInetAddress(), RELAY_PORT));
            s.setSoTimeout(POLL_MILLIS); // so an interrupt (the server stopping) is seen within that
            return new LoopbackRelay(s, new InetSocketAddress(Ipv4Address.parse("127.0.0.1").toInetAddress(), serverPort));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void send(byte[] request) throws IOException {
        socket.send(new DatagramPacket(request, request.length, server));
    }

    @Override
    public byte[] awaitReply(Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("the warm-up was stopped");
            }
            try {
                socket.receive(p);
                return Arrays.copyOf(buffer, p.getLength());
            } catch (SocketTimeoutException e) {
                if (System.nanoTime() - deadline >= 0) {
                    return null;
                }
            }
        }
    }

    @Override
    public int maxWave() {
        return WAVE;
    }

    @Override
    public void close() {
        socket.close();
    }
}
