package dev.vmaddr.dhcp.protocol;

import static dev.vmaddr.dhcp.codec.DhcpMessageType.*;
import static dev.vmaddr.dhcp.protocol.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpDecoder;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.MalformedPacketException;
import dev.vmaddr.dhcp.codec.Octets;
import dev.vmaddr.dhcp.codec.Packets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated datagrams through decoder → protocol → encoder: the decoder may only raise
 * {@link MalformedPacketException}; the protocol and the encoder may raise nothing. Half the run uses a
 * fixed seed, half a fresh one that is printed, so a failure can be replayed with
 * {@code -Dvmaddr.fuzz.seed=N}. Iterations: {@code -Dvmaddr.fuzz.iterations} (default 1,000,000).
 */
class DhcpFuzzTest {
    private static final long FIXED_SEED = 0x5eed_d4c9L;

    @Test
    void decoderAndProtocolSurviveRandomAndMutatedPackets() {
        int total = Integer.getInteger("vmaddr.fuzz.iterations", 1_000_000);
        long randomSeed = Long.getLong("vmaddr.fuzz.seed", new SplittableRandom().nextLong());
        System.out.println("fuzz: fixed seed " + FIXED_SEED + ", random seed " + randomSeed + " (replay with -Dvmaddr.fuzz.seed)");
        Result a = run(FIXED_SEED, total / 2);
        Result b = run(randomSeed, total - total / 2);
        System.out.printf("fuzz: %d packets, %d malformed, %d decoded, %d replies, %.1f s%n", a.packets + b.packets,
                a.malformed + b.malformed, a.decoded + b.decoded, a.replies + b.replies, (a.nanos + b.nanos) / 1e9);
        assertThat(a.packets + b.packets).isEqualTo(total);
        assertThat(a.decoded + b.decoded).as("mutations must also produce decodable packets").isGreaterThan(total / 10);
        assertThat(a.replies + b.replies).as("and some of them must reach a reply").isGreaterThan(total / 100);
    }

    record Result(long packets, long malformed, long decoded, long replies, long nanos) {
    }

    private Result run(long seed, int iterations) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> seeds = seeds();
        DhcpDecoder decoder = new DhcpDecoder();
        DhcpEncoder encoder = new DhcpEncoder();
        byte[] out = new byte[1500];
        Fixture f = null;
        DhcpProtocol protocol = null;
        long malformed = 0;
        long decoded = 0;
        long replies = 0;
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            if (i % 20_000 == 0) {  // fresh pools now and then so exhaustion does not hide the other paths
                f = new Fixture(new SplittableRandom(rnd.nextLong())); // the real engine, its random start replayable by seed
                protocol = f.protocol(DhcpServerSettings.DEFAULTS, (ifname, ip) -> java.util.concurrent.CompletableFuture.completedFuture(ip.value() % 7 == 0));
            }
            byte[] packet = Mutator.next(rnd, seeds);
            ReceiveContext ctx = rnd.nextInt(4) == 0 ? ReceiveContext.unicastOn("br-lan0", SERVER, ip("198.18.0.100")) : ON_LAN0;
            DhcpMessage msg;
            try {
                msg = decoder.decode(packet);
            } catch (MalformedPacketException e) {
                malformed++;
                f.events.malformed(e.reason(), ctx);
                continue;
            } catch (Throwable t) {
                fail("decoder threw %s for seed %d iteration %d packet %s", t, seed, i, HexFormat.of().formatHex(packet));
                return null;
            }
            decoded++;
            try {
                Optional<Reply> reply = protocol.handle(msg, ctx);
                if (reply.isPresent()) {
                    replies++;
                    int n = encoder.encode(reply.get().message(), out, 0, reply.get().maxMessageSize());
                    decoder.decode(out, 0, n);
                }
            } catch (Throwable t) {
                t.printStackTrace();
                fail("protocol/encoder threw %s for seed %d iteration %d packet %s", t, seed, i, HexFormat.of().formatHex(packet));
            }
        }
        return new Result(iterations, malformed, decoded, replies, System.nanoTime() - start);
    }

    /** Valid packets of every type and path, encoded by our encoder and hand-assembled. */
    static List<byte[]> seeds() {
        DhcpEncoder e = new DhcpEncoder();
        MacAddress other = MacAddress.parse("02:00:00:00:00:42");
        Octets agent = Octets.parseHex("0106657468302f31");
        return List.of(
                Packets.dhclientDiscover(),
                Packets.udhcpcRequest(ip("198.18.0.100"), SERVER),
                e.encode(request(DISCOVER, o -> o.parameterRequestList(1, 3, 6, 12, 15, 26, 28, 121).maxMessageSize(1500))),
                e.encode(request(REQUEST, o -> o.serverId(SERVER).requestedIp(ip("198.18.0.100")))),
                e.encode(request(REQUEST, o -> o.requestedIp(ip("198.18.0.102")))),
                e.encode(request(REQUEST, MAC, h -> h.ciaddr(ip("198.18.0.100")), o -> { })),
                e.encode(request(DECLINE, o -> o.serverId(SERVER).requestedIp(ip("198.18.0.100")))),
                e.encode(request(RELEASE, MAC, h -> h.ciaddr(ip("198.18.0.100")), o -> o.serverId(SERVER))),
                e.encode(request(INFORM, MAC, h -> h.ciaddr(ip("198.18.0.9")), o -> o.parameterRequestList(1, 3, 6))),
                e.encode(request(DISCOVER, other, h -> h.giaddr(ip("198.18.1.1")).hops(1), o -> o.relayAgentInfo(agent).clientId(Octets.parseHex("01020000000042")))),
                e.encode(request(REQUEST, other, h -> h.giaddr(ip("198.18.1.1")), o -> o.serverId(SERVER).requestedIp(ip("198.18.1.100")).relayAgentInfo(agent))),
                e.encode(request(DISCOVER, o -> { for (int c = 224; c < 230; c++) o.raw(c, Octets.of(new byte[80])); })));
    }
}
