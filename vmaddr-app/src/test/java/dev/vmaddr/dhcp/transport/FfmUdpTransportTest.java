package dev.vmaddr.dhcp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The FFM socket over loopback (127.0.0.1 only), in this JVM's own namespace; the multi-interface
 * behaviour is proven in {@link FfmUdpTransportNetnsTest}.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FfmUdpTransportTest {
    private static final Inet4Address LOOPBACK = (Inet4Address) InetAddress.getLoopbackAddress();

    private FfmUdpTransport transport;
    private DatagramChannel peer;

    @BeforeEach
    void open() throws IOException {
        transport = FfmUdpTransport.open(0);
        peer = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(LOOPBACK, 0));
    }

    @AfterEach
    void close() throws IOException {
        transport.close();
        peer.close();
    }

    @Test
    void askedForALargeReceiveBufferWithinTheKernelsCap() throws Exception {
        long cap; // Files.readString reads procfs files short (their size reads as 0)
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/core/rmem_max"))) {
            cap = Long.parseLong(new String(in.readAllBytes()).strip());
        }
        Process ss = new ProcessBuilder("ss", "-uamn", "sport", "= :" + transport.localPort()).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes());
        ss.waitFor();
        java.util.regex.Matcher rb = java.util.regex.Pattern.compile("rb(\\d+)").matcher(out);
        assertThat(rb.find()).as("ss output: %s", out).isTrue();
        // The kernel doubles what it grants for its own bookkeeping.
        long granted = Long.parseLong(rb.group(1));
        assertThat(granted).as("rb in %s, rmem_max %d", out, cap).isEqualTo(2 * Math.min(cap, FfmUdpTransport.RECEIVE_BUFFER_BYTES));
    }

    @Test
    void receiveReportsInterfaceSourceAndDestination() throws Exception {
        int loIndex = NetworkInterfaces.indexOf("lo").orElseThrow();
        peer.send(ByteBuffer.wrap(bytes("hello")), new InetSocketAddress(LOOPBACK, transport.localPort()));

        Datagram d = transport.receive();

        assertThat(d.ifIndex()).isEqualTo(loIndex);
        assertThat(d.destination()).isEqualTo(LOOPBACK);
        assertThat(d.source()).isEqualTo(peer.getLocalAddress());
        assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void sendReachesThePeerWithAndWithoutPktinfo() throws Exception {
        InetSocketAddress to = (InetSocketAddress) peer.getLocalAddress();
        int loIndex = NetworkInterfaces.indexOf("lo").orElseThrow();

        transport.send(0, null, to, bytes("xxroutedyy"), 2, 6);
        transport.send(loIndex, LOOPBACK, to, bytes("pinned"));

        assertThat(receiveAtPeer()).isEqualTo("routed");
        assertThat(receiveAtPeer()).isEqualTo("pinned");
    }

    @Test
    void anEmptyDatagramIsADatagramNotAClose() throws Exception {
        peer.send(ByteBuffer.allocate(0), new InetSocketAddress(LOOPBACK, transport.localPort()));

        assertThat(transport.receive().payload()).isEmpty();
    }

    @Test
    void receivesLargestIpv4Datagram() throws Exception {
        byte[] big = new byte[65507];
        big[65506] = 42;
        peer.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 18);
        peer.send(ByteBuffer.wrap(big), new InetSocketAddress(LOOPBACK, transport.localPort()));

        assertThat(transport.receive().payload()).isEqualTo(big);
    }

    @Test
    void closeUnblocksAReceiverBlockedInTheKernel() throws Exception {
        CompletableFuture<Datagram> blocked = new CompletableFuture<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                blocked.complete(transport.receive());
            } catch (Throwable t) {
                blocked.completeExceptionally(t);
            }
        });
        awaitState(receiver, Thread.State.RUNNABLE); // a downcall in recvmsg shows as RUNNABLE
        Thread.sleep(200); // let it reach recvmsg; nothing else would wake it
        assertThat(blocked).isNotDone();

        long start = System.nanoTime();
        // On its own thread: if close() failed to wake the receiver it would wait for it forever.
        CompletableFuture<Void> closing = CompletableFuture.runAsync(this::closeQuietly, Thread.ofPlatform().daemon()::start);

        assertThatThrownBy(() -> blocked.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(AsynchronousCloseException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
        closing.get(2, TimeUnit.SECONDS);
        receiver.join(2000);
        assertThat(receiver.isAlive()).isFalse();
    }

    private void closeQuietly() {
        try {
            transport.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyCallAfterCloseFailsAsClosed() throws Exception {
        transport.close();
        transport.close();

        assertThatThrownBy(transport::receive).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> transport.send(0, null, new InetSocketAddress(LOOPBACK, 9), bytes("x")))
                .isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void sendThroughAMissingInterfaceSaysWhichAndWhy() {
        int missing = 999_999;

        assertThatThrownBy(() -> transport.send(missing, null, new InetSocketAddress(LOOPBACK, 9), bytes("x")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("via ifindex 999999")
                .hasMessageContaining("127.0.0.1:9")
                .hasMessageContaining("ENODEV")
                .hasMessageContaining("No such device");
    }

    @Test
    void bindingATakenPortIsABindException() throws Exception {
        // SO_REUSEADDR lets two sockets share a UDP port; a socket without it still blocks the port.
        try (DatagramChannel holder = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(0))) {
            int port = ((InetSocketAddress) holder.getLocalAddress()).getPort();
            assertThatThrownBy(() -> FfmUdpTransport.open(port))
                    .isInstanceOf(java.net.BindException.class)
                    .hasMessageContaining("bind(0.0.0.0:" + port + ")")
                    .hasMessageContaining("EADDRINUSE");
        }
    }

    @Test
    void rejectsNonIpv4Destinations() {
        assertThatThrownBy(() -> transport.send(0, null, InetSocketAddress.createUnresolved("example.invalid", 9), bytes("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private String receiveAtPeer() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        peer.receive(buffer);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.getState() != state && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
