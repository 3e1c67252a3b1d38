package dev.vmaddr.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hand-written lease6 document is the text Jackson's tree writer produced before it (documents
 * already stored, and PostgreSQL's, keep reading the same), and reads back to the same lease.
 */
class Lease6JsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What Lease6Json wrote before: a Jackson ObjectNode with these fields, in this order. */
    private static String jackson(Lease6 l) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("network", l.network());
        o.put("ip", l.ip().toString());
        o.put("duid", l.duid().toString());
        o.put("iaid", l.iaid());
        o.put("mac", l.mac() == null ? null : l.mac().toString());
        o.put("hostname", l.hostname());
        o.put("state", l.state().wireName());
        o.put("expiresAt", l.expiresAt().toString());
        o.put("updatedAt", l.updatedAt().toString());
        return o.toString();
    }

    @Test
    void writesWhatJacksonWroteForRandomLeasesAndReadsThemBack() {
        SplittableRandom r = new SplittableRandom(22);
        for (int i = 0; i < 20_000; i++) {
            byte[] duid = new byte[3 + r.nextInt(20)];
            r.nextBytes(duid);
            Instant updated = Instant.ofEpochSecond(r.nextLong(4_000_000_000L), r.nextInt(4) == 0 ? r.nextInt(1_000_000_000) : 0);
            Lease6 l = new Lease6(text(r, 1 + r.nextInt(12)), new Ipv6Address(r.nextLong(), r.nextLong()),
                    Duid.of(duid, 0, duid.length), r.nextLong(1L << 32),
                    r.nextBoolean() ? null : new MacAddress(r.nextLong(1L << 48)),
                    r.nextBoolean() ? null : text(r, r.nextInt(40)),
                    LeaseState.values()[r.nextInt(LeaseState.values().length)], updated.plusSeconds(r.nextInt(100_000)), updated);
            String written = Lease6Json.write(l);
            assertThat(written).isEqualTo(jackson(l));
            assertThat(Lease6Json.read(written)).isEqualTo(l);
        }
    }

    /** Every escape class: quote, backslash, the short control escapes, other controls, DEL, non-ASCII, surrogate pairs. */
    private static String text(SplittableRandom r, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(4)) {
                case 0 -> b.append((char) r.nextInt(0x20));
                case 1 -> b.append("\"\\/\u007f".charAt(r.nextInt(4)));
                case 2 -> b.appendCodePoint(r.nextBoolean() ? 0x1F600 + r.nextInt(40) : 0xA0 + r.nextInt(0x2000));
                default -> b.append((char) (0x20 + r.nextInt(0x5F)));
            }
        }
        return b.toString();
    }
}
