package dev.vmaddr.dhcp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.Ipv4Address;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DhcpDecoderTest {
    private final DhcpDecoder decoder = new DhcpDecoder();

    @Test
    void decodesDhclientDiscover() throws Exception {
        DhcpMessage m = decoder.decode(Packets.dhclientDiscover());
        assertThat(m.op()).isEqualTo(DhcpMessage.BOOTREQUEST);
        assertThat(m.xid()).isEqualTo(0x3903f326);
        assertThat(m.mac()).isEqualTo(Packets.MAC);
        assertThat(m.messageType()).contains(DhcpMessageType.DISCOVER);
        assertThat(m.options().requestedIp()).contains(Ipv4Address.parse("198.18.0.120"));
        assertThat(m.options().hostname()).contains("vm7");
        assertThat(m.options().requests(OptionCodes.CLASSLESS_ROUTES)).isTrue();
        assertThat(m.options().requests(OptionCodes.SERVER_ID)).isFalse();
        assertThat(m.options().clientId()).isEmpty();
        assertThat(m.sname().isEmpty()).isTrue();
        assertThat(m.broadcastFlag()).isFalse();
    }

    @Test
    void decodesUdhcpcRequestWithClientIdAndMaxSize() throws Exception {
        DhcpMessage m = decoder.decode(Packets.udhcpcRequest(Ipv4Address.parse("198.18.0.100"), Ipv4Address.parse("198.18.0.1")));
        assertThat(m.messageType()).contains(DhcpMessageType.REQUEST);
        assertThat(m.options().clientId()).contains(Octets.parseHex("010218aa000007"));
        assertThat(m.options().serverId()).contains(Ipv4Address.parse("198.18.0.1"));
        assertThat(m.options().maxMessageSize()).hasValue(576);
        assertThat(m.secs()).isEqualTo(3);
    }

    @Test
    void concatenatesRepeatedCodes_rfc3396() throws Exception {
        byte[] p = withOptions("350101" + "2b03616263" + "0c026869" + "2b03646566" + "ff");
        DhcpMessage m = decoder.decode(p);
        assertThat(m.options().raw(43)).contains(Octets.ofAscii("abcdef"));
        assertThat(m.options().asList()).extracting(DhcpOption::code).containsExactly(53, 43, 12);
    }

    @Test
    void readsOverloadedFileThenSname() throws Exception {
        byte[] p = withOptions("350101" + "340103" + "2b0161" + "ff");
        byte[] file = HexFormat.of().parseHex("2b01620c03766d37ff");
        byte[] sname = HexFormat.of().parseHex("2b0163ff");
        System.arraycopy(file, 0, p, 108, file.length);
        System.arraycopy(sname, 0, p, 44, sname.length);
        DhcpMessage m = decoder.decode(p);
        assertThat(m.options().raw(43)).contains(Octets.ofAscii("abc"));
        assertThat(m.options().hostname()).contains("vm7");
        assertThat(m.options().overload()).hasValue(3);
        assertThat(m.file().isEmpty()).isTrue();
        assertThat(m.sname().isEmpty()).isTrue();
    }

    @Test
    void overloadOptionInsideFileIsIgnoredSoItCannotLoop() throws Exception {
        byte[] p = withOptions("350101" + "340101" + "ff");
        byte[] file = HexFormat.of().parseHex("340102" + "0c0178" + "ff");
        System.arraycopy(file, 0, p, 108, file.length);
        p[44] = 0x0c; // garbage in sname that must not be read as options
        DhcpMessage m = decoder.decode(p);
        assertThat(m.options().overload()).hasValue(1);
        assertThat(m.options().hostname()).contains("x");
        assertThat(m.sname()).isEqualTo(Octets.of((byte) 0x0c));
    }

    @Test
    void toleratesMissingEndAndPadding() throws Exception {
        byte[] p = HexFormat.of().parseHex(hexHeader() + "000000" + "350103" + "0c0178");
        DhcpMessage m = decoder.decode(p);
        assertThat(m.messageType()).contains(DhcpMessageType.REQUEST);
        assertThat(m.options().hostname()).contains("x");
    }

    @Test
    void unknownOptionsAreKeptRaw() throws Exception {
        DhcpMessage m = decoder.decode(withOptions("350101" + "e003010203" + "5203010161" + "ff"));
        assertThat(m.options().raw(224)).contains(Octets.parseHex("010203"));
        assertThat(m.options().relayAgentInfo()).contains(Octets.parseHex("010161"));
    }

    @Test
    void rejectsMalformedWithReasons() {
        assertMalformed(new byte[100], "truncated header");
        assertMalformed(Arrays.copyOf(Packets.dhclientDiscover(), 238), "magic cookie");
        byte[] badCookie = Packets.dhclientDiscover();
        badCookie[239] = 0;
        assertMalformed(badCookie, "magic cookie");
        byte[] badOp = Packets.dhclientDiscover();
        badOp[0] = 3;
        assertMalformed(badOp, "op 3");
        byte[] badHlen = Packets.dhclientDiscover();
        badHlen[2] = 17;
        assertMalformed(badHlen, "hlen 17");
        assertMalformed(HexFormat.of().parseHex(hexHeader() + "350101" + "0c"), "no length byte");
        assertMalformed(HexFormat.of().parseHex(hexHeader() + "350101" + "0c0a6869"), "option 12 length 10 exceeds");
        assertMalformed(withOptions("350201" + "ff"), "option 53 length 2");
        assertMalformed(withOptions("3503c61200" + "ff"), "option 53 length 3");
        assertMalformed(withOptions("350101" + "3203c61200" + "ff"), "option 50 length 3");
        assertMalformed(withOptions("350101" + "340104" + "ff"), "option 52 value 4");
        assertMalformed(withOptions("350101" + "7905" + "21c0a80001" + "ff"), "option 121");
        assertMalformed(withOptions("350101" + "3d0101" + "ff"), "option 61 length 1");
    }

    @Test
    void overloadRegionWithBadLengthIsMalformed() {
        byte[] p = withOptions("350101" + "340101" + "ff");
        p[108] = 0x0c;
        p[109] = (byte) 200;
        assertMalformed(p, "option 12 length 200");
    }

    @Test
    void rangeAndByteBufferEntryPoints() throws Exception {
        byte[] inner = Packets.dhclientDiscover();
        byte[] outer = new byte[inner.length + 10];
        System.arraycopy(inner, 0, outer, 5, inner.length);
        assertThat(decoder.decode(outer, 5, inner.length)).isEqualTo(decoder.decode(inner));
        assertThat(decoder.decode(java.nio.ByteBuffer.wrap(outer, 5, inner.length))).isEqualTo(decoder.decode(inner));
        assertThatThrownBy(() -> decoder.decode(outer, 5, outer.length)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void typedTimesAreUnsigned() throws Exception {
        DhcpMessage m = decoder.decode(withOptions("350105" + "3304ffffffff" + "ff"));
        assertThat(m.options().leaseTime()).contains(Duration.ofSeconds(0xFFFF_FFFFL));
    }

    @Test
    void decoderForOneThreadGivesTheSameMessagesAsTheStatelessOne_packetAfterPacket() throws Exception {
        // Its reused scan must start clean each time: fewer, more, repeated and overloaded options,
        // and a malformed packet in between (which aborts a scan half-way).
        DhcpDecoder reused = DhcpDecoder.forOneThread();
        byte[] overloaded = withOptions("350101" + "340103" + "2b0161" + "ff");
        System.arraycopy(HexFormat.of().parseHex("2b01620c03766d37ff"), 0, overloaded, 108, 9);
        System.arraycopy(HexFormat.of().parseHex("2b0163ff"), 0, overloaded, 44, 4);
        StringBuilder many = new StringBuilder("350101");
        for (int code = 200; code < 240; code++) {
            many.append(HexFormat.of().toHexDigits((byte) code)).append("0101");
        }
        byte[][] packets = {
                Packets.dhclientDiscover(),
                withOptions("350101" + "ff"),
                withOptions("350101" + "2b03616263" + "0c026869" + "2b03646566" + "ff"),
                overloaded,
                withOptions(many + "ff"),
                Packets.udhcpcRequest(Ipv4Address.parse("198.18.0.100"), Ipv4Address.parse("198.18.0.1")),
                withOptions("350101" + "3203c61200" + "ff"),
                withOptions("350105" + "3304ffffffff" + "ff"),
                Packets.dhclientDiscover(),
        };
        for (int round = 0; round < 2; round++) {
            for (byte[] p : packets) {
                DhcpMessage expected;
                try {
                    expected = decoder.decode(p);
                } catch (MalformedPacketException e) {
                    assertThatThrownBy(() -> reused.decode(p)).isInstanceOf(MalformedPacketException.class)
                            .hasMessage(e.getMessage());
                    continue;
                }
                assertThat(reused.decode(p)).isEqualTo(expected);
            }
        }
    }

    private void assertMalformed(byte[] p, String reasonPart) {
        assertThatThrownBy(() -> decoder.decode(p))
                .isInstanceOf(MalformedPacketException.class)
                .extracting(e -> ((MalformedPacketException) e).reason()).asString().contains(reasonPart);
    }

    static String hexHeader() {
        return "010106000000000100000000" + "00000000".repeat(4) + "0218aa000007" + "00".repeat(10)
                + "00".repeat(64) + "00".repeat(128) + "63825363";
    }

    static byte[] withOptions(String optionsHex) {
        return Packets.padTo300(hexHeader() + optionsHex);
    }
}
