package dev.vmaddr.dhcp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@RequiresRoot
class IcmpEchoSocketTest {
    private static final Ipv4Address LOOPBACK = Ipv4Address.parse("127.0.0.1");

    @Test
    void loopbackAnswersWithTheIdentifierAndSequenceWeSent() throws Exception {
        try (IcmpEchoSocket socket = IcmpEchoSocket.open()) {
            int id = (int) (ProcessHandle.current().pid() & 0xFFFF);
            CompletableFuture<IcmpEchoSocket.EchoReply> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    while (true) {
                        IcmpEchoSocket.EchoReply r = socket.receive();
                        if (r.identifier() == id && r.sequence() == 4242) {
                            return r;
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            socket.send(LOOPBACK, id, 4242);
            IcmpEchoSocket.EchoReply r = reply.get(5, TimeUnit.SECONDS);
            assertThat(r.from()).isEqualTo(LOOPBACK);
        }
    }

    @Test
    void closeWakesTheReceiver() throws Exception {
        IcmpEchoSocket socket = IcmpEchoSocket.open();
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                socket.receive();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        Thread.sleep(200);
        socket.close();
        assertThat(failure.get(5, TimeUnit.SECONDS)).isNotNull();
        assertThatThrownBy(() -> socket.send(LOOPBACK, 1, 1)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void checksumMatchesRfc1071Example() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement 220d).
        var bytes = java.lang.foreign.MemorySegment.ofArray(new byte[] {0x00, 0x01, (byte) 0xf2, 0x03,
                (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7});
        assertThat(IcmpEchoSocket.checksum(bytes, 8)).isEqualTo(0x220d);
    }
}
