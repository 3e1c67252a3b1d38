package dev.vmaddr.dhcp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryTransportTest {
    private final InMemoryTransport transport = new InMemoryTransport();

    @Test
    void deliveredDatagramsAreReceivedInOrder() throws Exception {
        Datagram first = datagram("198.18.0.2", 1);
        Datagram second = datagram("198.18.0.3", 2);
        transport.deliver(first);
        transport.deliver(second);

        assertThat(transport.receive()).isEqualTo(first);
        assertThat(transport.receive()).isEqualTo(second);
    }

    @Test
    void sendRecordsACopyOfTheGivenSlice() throws Exception {
        byte[] data = {0, 1, 2, 3, 4};
        InetSocketAddress to = new InetSocketAddress(ip("255.255.255.255"), 68);

        transport.send(7, ip("198.18.0.1"), to, data, 1, 3);
        data[2] = 99;

        assertThat(transport.awaitSent(Duration.ofSeconds(1)))
                .isEqualTo(new InMemoryTransport.Sent(7, ip("198.18.0.1"), to, new byte[] {1, 2, 3}));
        assertThat(transport.pollSent()).isNull();
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        CompletableFuture<Datagram> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return transport.receive();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Thread.sleep(50);

        transport.close();

        assertThatThrownBy(() -> blocked.get(2, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(AsynchronousCloseException.class);
        assertThatThrownBy(transport::receive).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> transport.send(0, null, new InetSocketAddress(ip("198.18.0.2"), 68), new byte[1]))
                .isInstanceOf(ClosedChannelException.class);
    }

    private static Datagram datagram(String source, int marker) throws Exception {
        return new Datagram(3, new InetSocketAddress(ip(source), 68), ip("255.255.255.255"), new byte[] {(byte) marker});
    }

    private static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }
}
