package dev.vmaddr.connectivity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DhcpDiscoverCodecTest {
    static final MacAddress MAC = MacAddress.parse("02:18:00:00:00:09");

    @Test
    void discoverIsABroadcastBootRequestWithMessageType1() {
        byte[] p = DhcpDiscoverCodec.discover(0x01020304, MAC);
        assertThat(p).hasSize(300);
        assertThat(p[0]).isEqualTo((byte) 1);
        assertThat(ByteBuffer.wrap(p, 4, 4).getInt()).isEqualTo(0x01020304);
        assertThat(ByteBuffer.wrap(p, 10, 2).getShort()).isEqualTo((short) 0x8000);
        assertThat(MacAddress.fromBytes(p, 28)).isEqualTo(MAC);
        assertThat(ByteBuffer.wrap(p, 236, 4).getInt()).isEqualTo(DhcpDiscoverCodec.MAGIC);
        assertThat(new byte[] {p[240], p[241], p[242]}).containsExactly(53, 1, 1);
    }

    static byte[] offer(int xid, int type, byte[]... options) {
        ByteBuffer b = ByteBuffer.allocate(400);
        b.put((byte) 2).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid);
        b.position(16).put(new byte[] {(byte) 198, 18, 0, 120});
        b.position(236).putInt(DhcpDiscoverCodec.MAGIC);
        b.put(new byte[] {53, 1, (byte) type});
        for (byte[] o : options) {
            b.put(o);
        }
        b.put((byte) 255);
        return b.array();
    }

    @Test
    void offerGivesCidrRouterAndServer() {
        byte[] p = offer(7, 2, new byte[] {1, 4, (byte) 255, (byte) 255, (byte) 254, 0}, new byte[] {3, 4, (byte) 198, 18, 0, 1},
                new byte[] {54, 4, (byte) 198, 18, 0, 2});
        DhcpOffer o = DhcpDiscoverCodec.parseOffer(p, p.length, 7, Ipv4Address.parse("198.18.0.9")).orElseThrow();
        assertThat(o.cidr()).hasToString("198.18.0.0/23");
        assertThat(o.router()).hasToString("198.18.0.1");
        assertThat(o.server()).hasToString("198.18.0.2");
        assertThat(o.yiaddr()).hasToString("198.18.0.120");
    }

    @Test
    void otherXidsTypesAndTruncatedOptionsAreIgnored() {
        byte[] ack = offer(7, 5);
        assertThat(DhcpDiscoverCodec.parseOffer(ack, ack.length, 7, Ipv4Address.ANY)).isEmpty();
        byte[] other = offer(8, 2);
        assertThat(DhcpDiscoverCodec.parseOffer(other, other.length, 7, Ipv4Address.ANY)).isEmpty();
        byte[] truncated = offer(7, 2, new byte[] {3, 40, 1});
        assertThat(DhcpDiscoverCodec.parseOffer(truncated, 246, 7, Ipv4Address.ANY)).isEmpty();
        // No server identifier: the UDP source stands in.
        byte[] bare = offer(7, 2);
        assertThat(DhcpDiscoverCodec.parseOffer(bare, bare.length, 7, Ipv4Address.parse("198.18.0.5")).orElseThrow().server())
                .hasToString("198.18.0.5");
    }
}
