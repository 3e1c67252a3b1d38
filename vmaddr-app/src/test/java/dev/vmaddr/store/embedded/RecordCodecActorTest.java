package dev.vmaddr.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.store.compact.LeaseEntry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: the writer's actor in lease and MAC log records. Fixed actors are a one-byte code, a
 * token's {@code api:<name>} is text, no actor writes the old record kinds (which still decode), so
 * replaying a log derives each event with the actor it was written with.
 */
class RecordCodecActorTest {
    private static final Instant T = Instant.parse("2026-12-06T21:00:00Z");
    private static final LeaseEntry ENTRY = new LeaseEntry(0xC6120007, 0x525400000001L, (byte) 2, T.getEpochSecond(), 0,
            T.getEpochSecond(), 0, null, 0);

    private static Op roundTrip(Op op) {
        Bytes b = RecordCodec.encoded(op);
        return RecordCodec.decode(ByteBuffer.wrap(Arrays.copyOf(b.buf, b.len)), 7);
    }

    private static int kind(Op op) {
        return RecordCodec.encoded(op).buf[0] & 0xFF;
    }

    @Test
    void leasePutsKeepTheirActor() {
        for (String actor : new String[] {"dhcp", "cni", "libvirt", "import", "api:ci-bot", null}) {
            Op.LeasePut back = (Op.LeasePut) roundTrip(new Op.LeasePut("lan", ENTRY, actor));
            assertThat(back.actor()).as(String.valueOf(actor)).isEqualTo(actor);
            assertThat(back.network()).isEqualTo("lan");
            assertThat(back.entry().ip()).isEqualTo(ENTRY.ip());
            assertThat(back.entry().mac()).isEqualTo(ENTRY.mac());
        }
        assertThat(kind(new Op.LeasePut("lan", ENTRY, null))).isEqualTo(RecordCodec.LEASE_PUT);
        assertThat(kind(new Op.LeasePut("lan", ENTRY, "dhcp"))).isEqualTo(RecordCodec.LEASE_PUT_ACTOR);
        // a fixed actor costs one byte over the old record
        assertThat(RecordCodec.encoded(new Op.LeasePut("lan", ENTRY, "dhcp")).len)
                .isEqualTo(RecordCodec.encoded(new Op.LeasePut("lan", ENTRY, null)).len + 1);
    }

    @Test
    void macPutsKeepTheirActor() {
        MacRecord r = new MacRecord(MacAddress.parse("52:54:00:00:00:09"), MacState.ALLOCATED, "vm/web1/nic0", null, T);
        for (String actor : new String[] {"libvirt", "api:admin", null}) {
            Op.MacPut back = (Op.MacPut) roundTrip(new Op.MacPut(r, actor));
            assertThat(back.actor()).isEqualTo(actor);
            assertThat(back.record()).isEqualTo(r);
        }
        assertThat(kind(new Op.MacPut(r, null))).isEqualTo(RecordCodec.MAC_PUT);
    }

    @Test
    void anUnknownActorCodeIsMalformed() {
        Bytes b = RecordCodec.encoded(new Op.LeasePut("lan", ENTRY, "dhcp"));
        byte[] bad = Arrays.copyOf(b.buf, b.len);
        bad[bad.length - 1] = 9; // no such code
        assertThatThrownBy(() -> RecordCodec.decode(ByteBuffer.wrap(bad), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("actor");
    }
}
