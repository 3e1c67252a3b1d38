package dev.vmaddr.connectivity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpDecoder;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probe's DISCOVER and its reading of OFFERs, through the server's one DHCP codec. */
class DhcpOfferTest {
    static final MacAddress MAC = MacAddress.parse("02:18:00:00:00:09");
    static final DhcpEncoder ENCODER = new DhcpEncoder();
    static final DhcpDecoder DECODER = new DhcpDecoder();

    @Test
    void discoverIsABroadcastBootRequestWithMessageType1() throws Exception {
        byte[] p = ENCODER.encode(DhcpOffer.discover(0x01020304, MAC));
        assertThat(p).hasSize(300); // some servers ignore BOOTP packets shorter than 300 bytes
        assertThat(p[0]).isEqualTo((byte) 1);
        assertThat(ByteBuffer.wrap(p, 4, 4).getInt()).isEqualTo(0x01020304);
        assertThat(ByteBuffer.wrap(p, 10, 2).getShort()).isEqualTo((short) 0x8000);
        assertThat(MacAddress.fromBytes(p, 28)).isEqualTo(MAC);
        DhcpMessage back = DECODER.decode(p);
        assertThat(back.messageType()).contains(DhcpMessageType.DISCOVER);
        assertThat(back.options().requests(1)).isTrue();
        assertThat(back.options().requests(3)).isTrue();
        assertThat(back.options().hostname()).contains("vmaddr-probe");
    }

    static DhcpMessage reply(int xid, DhcpMessageType type, DhcpOptions.Builder options) {
        return DhcpMessage.builder().op(DhcpMessage.BOOTREPLY).xid(xid).mac(MAC)
                .yiaddr(Ipv4Address.parse("198.18.0.120"))
                .options(options.messageType(type).build()).build();
    }

    static DhcpMessage wire(DhcpMessage m) throws Exception {
        return DECODER.decode(ENCODER.encode(m));
    }

    @Test
    void offerGivesCidrRouterAndServer() throws Exception {
        DhcpMessage m = wire(reply(7, DhcpMessageType.OFFER, DhcpOptions.builder()
                .subnetMask(Ipv4Address.parse("255.255.254.0"))
                .routers(List.of(Ipv4Address.parse("198.18.0.1")))
                .serverId(Ipv4Address.parse("198.18.0.2"))));
        DhcpOffer o = DhcpOffer.from(m, 7, Ipv4Address.parse("198.18.0.9")).orElseThrow();
        assertThat(o.cidr()).hasToString("198.18.0.0/23");
        assertThat(o.router()).hasToString("198.18.0.1");
        assertThat(o.server()).hasToString("198.18.0.2");
        assertThat(o.yiaddr()).hasToString("198.18.0.120");
    }

    @Test
    void otherXidsTypesAndBadMasksAreIgnoredOrLeftOut() throws Exception {
        assertThat(DhcpOffer.from(wire(reply(7, DhcpMessageType.ACK, DhcpOptions.builder())), 7, Ipv4Address.ANY)).isEmpty();
        assertThat(DhcpOffer.from(wire(reply(8, DhcpMessageType.OFFER, DhcpOptions.builder())), 7, Ipv4Address.ANY)).isEmpty();
        assertThat(DhcpOffer.from(wire(DhcpOffer.discover(7, MAC)), 7, Ipv4Address.ANY)).isEmpty();
        // No server identifier: the UDP source stands in; no router, no mask: null.
        DhcpOffer bare = DhcpOffer.from(wire(reply(7, DhcpMessageType.OFFER, DhcpOptions.builder())), 7,
                Ipv4Address.parse("198.18.0.5")).orElseThrow();
        assertThat(bare.server()).hasToString("198.18.0.5");
        assertThat(bare.router()).isNull();
        assertThat(bare.cidr()).isNull();
        DhcpOffer holes = DhcpOffer.from(wire(reply(7, DhcpMessageType.OFFER, DhcpOptions.builder()
                .subnetMask(Ipv4Address.parse("255.0.255.0")))), 7, Ipv4Address.ANY).orElseThrow();
        assertThat(holes.cidr()).isNull();
    }
}
