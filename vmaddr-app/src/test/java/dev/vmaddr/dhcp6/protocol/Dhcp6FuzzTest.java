package dev.vmaddr.dhcp6.protocol;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;
import static dev.vmaddr.dhcp6.protocol.Dhcp6Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.codec.MalformedDhcp6Exception;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * DhcpFuzzTest for DHCPv6: random and mutated datagrams through the protocol (decoder, relay
 * unwrapping, leases, encoder). Nothing may escape; broken input only counts as malformed; every
 * answer decodes again. Seeds as there: {@code -Dvmaddr.fuzz.seed}, {@code -Dvmaddr.fuzz.iterations}.
 */
class Dhcp6FuzzTest {
    private static final long FIXED_SEED = 0x5eed_d6c9L;

    @Test
    void protocolSurvivesRandomAndMutatedDhcp6Packets() {
        int total = Integer.getInteger("vmaddr.fuzz.iterations", 1_000_000);
        long randomSeed = Long.getLong("vmaddr.fuzz.seed", new SplittableRandom().nextLong());
        System.out.println("fuzz6: fixed seed " + FIXED_SEED + ", random seed " + randomSeed);
        long[] a = run(FIXED_SEED, total / 2);
        long[] b = run(randomSeed, total - total / 2);
        long malformed = a[0] + b[0];
        long answers = a[1] + b[1];
        System.out.printf("fuzz6: %d packets, %d malformed, %d answers%n", total, malformed, answers);
        assertThat(malformed).as("mutations must produce broken packets").isGreaterThan(total / 20);
        assertThat(answers).as("and packets that reach an answer").isGreaterThan(total / 100);
    }

    private long[] run(long seed, int iterations) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> seeds = seeds();
        LongAdder malformed = new LongAdder();
        Dhcp6Fixture f = null;
        Dhcp6Protocol protocol = null;
        long answers = 0;
        for (int i = 0; i < iterations; i++) {
            if (i % 20_000 == 0) {
                f = new Dhcp6Fixture(new SplittableRandom(rnd.nextLong()));
                protocol = new Dhcp6Protocol(f.ops, SERVER, new Dhcp6Events() {
                    @Override
                    public void malformed(String reason) {
                        malformed.increment();
                    }
                });
            }
            byte[] p = mutate(rnd, seeds.get(rnd.nextInt(seeds.size())));
            try {
                Optional<Dhcp6Protocol.Answer> answer = protocol.handle(p, rnd.nextInt(3) == 0 ? LAN1 : LAN0);
                if (answer.isPresent()) {
                    answers++;
                    Dhcp6Codec.decode(answer.get().payload());
                }
            } catch (MalformedDhcp6Exception e) {
                fail("our own answer does not decode (%s) for seed %d iteration %d packet %s", e.getMessage(), seed, i,
                        HexFormat.of().formatHex(p));
            } catch (Throwable t) {
                t.printStackTrace();
                fail("protocol threw %s for seed %d iteration %d packet %s", t, seed, i, HexFormat.of().formatHex(p));
            }
        }
        return new long[] {malformed.sum(), answers};
    }

    private static byte[] mutate(SplittableRandom rnd, byte[] seed) {
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            byte[] r = new byte[rnd.nextInt(200)];
            rnd.nextBytes(r);
            return r;
        }
        byte[] p = java.util.Arrays.copyOf(seed, kind == 1 ? rnd.nextInt(seed.length + 1) : seed.length);
        if (kind < 3) {
            return p;
        }
        int flips = kind == 3 ? 0 : 1 + rnd.nextInt(4);
        for (int i = 0; i < flips && p.length > 0; i++) {
            int at = rnd.nextInt(p.length);
            p[at] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : (byte) (p[at] ^ (1 << rnd.nextInt(8)));
        }
        return p;
    }

    static List<byte[]> seeds() {
        byte[] solicit = message(SOLICIT, clientDuid(1), false, iaNa(1));
        return List.of(solicit,
                message(SOLICIT, clientDuid(2), false, iaNa(2), rapidCommit()),
                message(REQUEST, clientDuid(1), true, iaNa(1, "2001:db8:0:1::100")),
                message(RENEW, clientDuid(1), true, iaNa(1, "2001:db8:0:1::100")),
                message(REBIND, clientDuid(1), false, iaNa(1, "2001:db8:0:1::101")),
                message(RELEASE, clientDuid(1), true, iaNa(1, "2001:db8:0:1::100")),
                message(DECLINE, clientDuid(1), true, iaNa(1, "2001:db8:0:1::100")),
                message(CONFIRM, clientDuid(1), false, iaNa(1, "2001:db8:0:1::100")),
                message(INFORMATION_REQUEST, clientDuid(3), false),
                relayForw("2001:db8:0:1::1", solicit, new byte[] {1, 2, 3}),
                relayForw("::", relayForw("2001:db8:0:1::1", solicit, new byte[] {4}), new byte[] {5}));
    }
}
