package dev.vmaddr.dhcp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DhcpEncoderTest {
    private final DhcpEncoder encoder = new DhcpEncoder();
    private final DhcpDecoder decoder = new DhcpDecoder();

    static DhcpMessage.Builder ack() {
        return DhcpMessage.builder().op(DhcpMessage.BOOTREPLY).xid(0x1234).mac(Packets.MAC)
                .yiaddr(Ipv4Address.parse("198.18.0.100"));
    }

    @Test
    void decodedDiscoverReencodesToTheSameBytes() throws Exception {
        byte[] wire = Packets.dhclientDiscover();
        DhcpMessage m = decoder.decode(wire);
        assertThat(encoder.encode(m)).isEqualTo(wire);
    }

    @Test
    void typedOptionsRoundTrip() throws Exception {
        DhcpOptions options = DhcpOptions.builder()
                .messageType(DhcpMessageType.ACK)
                .serverId(Ipv4Address.parse("198.18.0.1"))
                .leaseTime(Duration.ofSeconds(120)).renewalTime(Duration.ofSeconds(60)).rebindingTime(Duration.ofSeconds(105))
                .subnetMask(Ipv4Address.parse("255.255.255.0"))
                .routers(List.of(Ipv4Address.parse("198.18.0.1")))
                .dnsServers(List.of(Ipv4Address.parse("198.18.0.53"), Ipv4Address.parse("198.18.0.54")))
                .hostname("db1").domainName("lab.example").mtu(1500)
                .broadcastAddress(Ipv4Address.parse("198.18.0.255"))
                .classlessRoutes(List.of(ClasslessRoute.defaultVia(Ipv4Address.parse("198.18.0.1")),
                        new ClasslessRoute(Ipv4Prefix.parse("10.17.0.0/16"), Ipv4Address.parse("198.18.0.2"))))
                .clientId(Octets.parseHex("010218aa000007"))
                .relayAgentInfo(Octets.parseHex("0104deadbeef"))
                .build();
        DhcpMessage m = ack().options(options).build();
        byte[] wire = encoder.encode(m);
        assertThat(wire.length).isGreaterThanOrEqualTo(DhcpEncoder.BOOTP_MIN_LENGTH);
        DhcpMessage back = decoder.decode(wire);
        assertThat(back.options().leaseTime()).contains(Duration.ofSeconds(120));
        assertThat(back.options().dnsServers()).hasSize(2);
        assertThat(back.options().classlessRoutes()).containsExactlyElementsOf(options.classlessRoutes());
        assertThat(back.options().mtu()).hasValue(1500);
        assertThat(back.options().domainName()).contains("lab.example");
        assertThat(back.mac()).isEqualTo(Packets.MAC);
        // 82 is written last (RFC 3046 2.1); 53 first
        assertThat(back.options().asList().getFirst().code()).isEqualTo(53);
        assertThat(back.options().asList().getLast().code()).isEqualTo(82);
        assertThat(back.options().asList()).containsExactlyInAnyOrderElementsOf(options.asList());
    }

    @Test
    void classlessRouteEncodingMatchesRfc3442Examples() {
        Octets encoded = DhcpOptions.builder().classlessRoutes(List.of(
                new ClasslessRoute(Ipv4Prefix.parse("0.0.0.0/0"), Ipv4Address.parse("10.0.0.1")),
                new ClasslessRoute(Ipv4Prefix.parse("10.0.0.0/8"), Ipv4Address.parse("10.0.0.1")),
                new ClasslessRoute(Ipv4Prefix.parse("10.17.0.0/16"), Ipv4Address.parse("10.0.0.1")),
                new ClasslessRoute(Ipv4Prefix.parse("10.27.129.0/24"), Ipv4Address.parse("10.0.0.1")),
                new ClasslessRoute(Ipv4Prefix.parse("10.229.0.128/25"), Ipv4Address.parse("10.0.0.1"))))
                .build().raw(121).orElseThrow();
        assertThat(encoded.toHex()).isEqualTo("000a000001" + "080a0a000001" + "100a110a000001"
                + "180a1b810a000001" + "190ae500800a000001");
    }

    @Test
    void longOptionIsSplitIntoPiecesAndConcatenatedBack() throws Exception {
        byte[] value = new byte[600];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        DhcpMessage m = ack().options(DhcpOptions.builder().messageType(DhcpMessageType.ACK).raw(43, Octets.of(value)).build()).build();
        byte[] wire = encoder.encode(m, 1500);
        assertThat(wire[240 + 3] & 0xFF).isEqualTo(43);
        assertThat(wire[240 + 4] & 0xFF).isEqualTo(255);
        assertThat(wire[240 + 3 + 257] & 0xFF).isEqualTo(43);
        assertThat(wire[240 + 3 + 258] & 0xFF).isEqualTo(255);
        assertThat(wire[240 + 3 + 514 + 1] & 0xFF).isEqualTo(90);
        assertThat(decoder.decode(wire).options().raw(43)).contains(Octets.of(value));
    }

    @Test
    void overflowGoesIntoFileAndSnameWhenTheOptionsFieldIsFull() throws Exception {
        DhcpOptions.Builder b = DhcpOptions.builder().messageType(DhcpMessageType.ACK).serverId(Ipv4Address.parse("198.18.0.1"));
        for (int code = 224; code < 228; code++) {
            b.raw(code, Octets.of(new byte[90]));  // 4 x 92 = 368 > the 308 options bytes of a 576-byte message
        }
        DhcpMessage m = ack().options(b.build()).build();
        byte[] wire = encoder.encode(m);
        assertThat(wire.length).isLessThanOrEqualTo(548);
        DhcpMessage back = decoder.decode(wire);
        assertThat(back.options().overload()).isPresent();
        for (int code = 224; code < 228; code++) {
            assertThat(back.options().raw(code)).contains(Octets.of(new byte[90]));
        }
        assertThat(back.options().serverId()).contains(Ipv4Address.parse("198.18.0.1"));
    }

    @Test
    void whenNothingElseFitsLowestPriorityOptionsAreDropped() throws Exception {
        DhcpOptions.Builder b = DhcpOptions.builder();
        b.raw(224, Octets.of(new byte[200])).hostname("h".repeat(200));
        b.messageType(DhcpMessageType.ACK).serverId(Ipv4Address.parse("198.18.0.1")).leaseTime(Duration.ofSeconds(60));
        b.relayAgentInfo(Octets.parseHex("0104deadbeef"));
        // file and sname in use: no overload possible
        DhcpMessage m = ack().file(Octets.ofAscii("pxelinux.0")).sname(Octets.ofAscii("tftp")).options(b.build()).build();
        DhcpMessage back = decoder.decode(encoder.encode(m));
        assertThat(back.options().messageType()).contains(DhcpMessageType.ACK);
        assertThat(back.options().relayAgentInfo()).isPresent();
        assertThat(back.options().hostname()).contains("h".repeat(200));
        assertThat(back.options().contains(224)).isFalse();
        assertThat(back.file().asText()).isEqualTo("pxelinux.0");
        assertThat(back.sname().asText()).isEqualTo("tftp");
    }

    @Test
    void optionsThatExactlyFillTheOptionsFieldNeedNoOverload_oneByteMoreDoes() throws Exception {
        // 576-byte limit: 548 bytes of payload, 307 for options before END. Written directly when they
        // fit (relay agent info last), through the layout (overload) from one byte more.
        for (int extra = 0; extra <= 1; extra++) {
            DhcpOptions.Builder b = DhcpOptions.builder().relayAgentInfo(Octets.parseHex("0104deadbeef"))
                    .messageType(DhcpMessageType.ACK);
            // 82: 2 + 6 bytes, 53: 3, 224: 2 + 200, 225: 2 + 92 (+ 1)
            b.raw(224, Octets.of(new byte[200])).raw(225, Octets.of(new byte[92 + extra]));
            byte[] wire = encoder.encode(ack().options(b.build()).build());
            DhcpMessage back = decoder.decode(wire);
            assertThat(back.options().overload().isPresent()).isEqualTo(extra == 1);
            assertThat(back.options().raw(225).orElseThrow().length()).isEqualTo(92 + extra);
            if (extra == 0) {
                assertThat(wire.length).isEqualTo(548);
                assertThat(back.options().asList()).extracting(DhcpOption::code).containsExactly(53, 224, 225, 82);
            }
        }
    }

    @Test
    void largerMaxMessageSizeAvoidsOverload() throws Exception {
        DhcpOptions.Builder b = DhcpOptions.builder().messageType(DhcpMessageType.ACK);
        for (int code = 224; code < 228; code++) {
            b.raw(code, Octets.of(new byte[90]));
        }
        byte[] wire = encoder.encode(ack().options(b.build()).build(), 1500);
        assertThat(decoder.decode(wire).options().overload()).isEmpty();
        assertThat(wire.length).isGreaterThan(548);
    }

    @Test
    void encodesIntoCallerBuffersAndPadsTo300() throws Exception {
        DhcpMessage m = ack().options(DhcpOptions.builder().messageType(DhcpMessageType.NAK).build()).build();
        byte[] out = new byte[1500];
        java.util.Arrays.fill(out, (byte) 0x5a);
        int n = encoder.encode(m, out, 0, 0);
        assertThat(n).isEqualTo(300);
        assertThat(out[244]).isEqualTo((byte) 0);  // padding zeroed even in a dirty buffer
        assertThat(out[299]).isEqualTo((byte) 0);
        assertThat(out[300]).isEqualTo((byte) 0x5a);
        ByteBuffer bb = ByteBuffer.allocate(2000).position(7);
        int written = encoder.encode(m, bb, 0);
        assertThat(bb.position()).isEqualTo(7 + written);
        assertThat(decoder.decode(ByteBuffer.wrap(bb.array(), 7, written))).isEqualTo(decoder.decode(java.util.Arrays.copyOf(out, n)));
        assertThatThrownBy(() -> encoder.encode(m, new byte[299], 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderRefusesInvalidTypedValues() {
        assertThatThrownBy(() -> DhcpOptions.builder().raw(53, Octets.of((byte) 1, (byte) 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("option 53");
        assertThatThrownBy(() -> DhcpOptions.builder().raw(0, Octets.EMPTY)).hasMessageContaining("option code 0");
    }

    @Test
    void nonEthernetHardwareAddressIsKeptRaw() throws Exception {
        Octets ib = Octets.parseHex("00112233445566778899");
        DhcpMessage m = DhcpMessage.builder().hardware(32, ib)
                .options(DhcpOptions.builder().messageType(DhcpMessageType.DISCOVER).build()).build();
        DhcpMessage back = decoder.decode(encoder.encode(m));
        assertThat(back.mac()).isNull();
        assertThat(back.chaddr()).isEqualTo(ib);
        assertThat(back.htype()).isEqualTo(32);
        assertThat(HexFormat.of().formatHex(encoder.encode(m), 28, 44)).isEqualTo("00112233445566778899000000000000");
    }
}
