package dev.vmaddr.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmaddr.dhcp.transport.Datagram;
import dev.vmaddr.dhcp.transport.FfmUdpTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The warm-up's relay on loopback, against the server's real socket transport. */
class LoopbackRelayTest {

    @Test
    void requestsReachTheServersSocketFromTheRelayAndRepliesComeBackToIt() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "binding port 67 needs root");
        try (FfmUdpTransport server = FfmUdpTransport.open(0);
             LoopbackRelay relay = LoopbackRelay.open(server.localPort())) {
            relay.send(new byte[] {1, 2, 3});
            Datagram request = server.receive();
            assertThat(request.payload()).containsExactly(1, 2, 3);
            assertThat(request.source()).isEqualTo(new InetSocketAddress(LoopbackRelay.ADDRESS.toInetAddress(), 67));

            // a reply to the relay, as the server sends it: giaddr, port 67
            server.send(0, null, request.source(), new byte[] {4, 5});
            assertThat(relay.awaitReply(Duration.ofSeconds(5))).containsExactly(4, 5);
            assertThat(relay.awaitReply(Duration.ofMillis(150))).isNull();
        }
    }

    @Test
    void anInterruptStopsAWait() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "binding port 67 needs root");
        try (FfmUdpTransport server = FfmUdpTransport.open(0);
             LoopbackRelay relay = LoopbackRelay.open(server.localPort())) {
            Thread.currentThread().interrupt();
            try {
                relay.awaitReply(Duration.ofSeconds(30));
                throw new AssertionError("no InterruptedException");
            } catch (InterruptedException expected) {
                assertThat(Thread.currentThread().isInterrupted()).isFalse();
            }
        }
    }
}
