package dev.vmaddr.mac;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacState;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MacPoolTest {
    final MemoryStore store = new MemoryStore();
    final MutableClock clock = new MutableClock();

    static MacAddress mac(String s) {
        return MacAddress.parse(s);
    }

    MacPool pool(String first, String last) {
        return new MacPool(new MacPoolSpec(MacPoolSpec.KVM_PREFIX, List.of(new MacPoolSpec.Range(mac(first), mac(last))),
                Duration.ofHours(1)), store.macs(), clock, new Random(5));
    }

    @Test
    void prefixRule() {
        assertThat(MacPoolSpec.defaults().prefix()).isEqualTo(0x525400);
        assertThat(new MacPoolSpec(MacPoolSpec.parsePrefix("02:ab:cd"), List.of(), null).quarantine()).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> new MacPoolSpec(MacPoolSpec.parsePrefix("03:00:00"), List.of(), null)).hasMessageContaining("multicast");
        assertThatThrownBy(() -> new MacPoolSpec(MacPoolSpec.parsePrefix("00:16:3e"), List.of(), null))
                .hasMessageContaining("universally administered");
        assertThatThrownBy(() -> MacPoolSpec.parsePrefix("52:54")).hasMessageContaining("\"52:54\"");
        assertThatThrownBy(() -> new MacPoolSpec(0x525400, List.of(new MacPoolSpec.Range(mac("52:54:01:00:00:00"),
                mac("52:54:01:00:00:09"))), null)).hasMessageContaining("ranges[0]");
    }

    @Test
    void allocatesEveryMacOfARangeOnceThenIsExhausted() {
        MacPool p = pool("52:54:00:00:01:00", "52:54:00:00:01:3f");
        p.reserve(mac("52:54:00:00:01:00"), "operator");
        p.observe(mac("52:54:00:00:01:01"), "net/lab via arp");
        p.claim(mac("52:54:00:00:01:02"), "vm/a/nic0");
        Set<MacAddress> got = new HashSet<>();
        for (int i = 0; i < 61; i++) {
            MacAddress m = p.allocate("vm/x" + i + "/nic0");
            assertThat(m.isUnicast()).isTrue();
            assertThat(p.spec().contains(m)).isTrue();
            assertThat(got.add(m)).isTrue();
        }
        assertThat(got).doesNotContain(mac("52:54:00:00:01:00"), mac("52:54:00:00:01:01"), mac("52:54:00:00:01:02"));
        assertThatThrownBy(() -> p.allocate("vm/y/nic0")).isInstanceOf(MacPoolException.class)
                .hasMessageContaining("exhausted").extracting("reason").isEqualTo(MacPoolException.Reason.EXHAUSTED);
    }

    @Test
    void claimIsValidatedAndConflictsAreRefused() {
        MacPool p = new MacPool(MacPoolSpec.defaults(), store.macs(), clock, new Random(1));
        assertThatThrownBy(() -> p.claim(mac("01:00:5e:00:00:01"), "vm/a/nic0")).extracting("reason")
                .isEqualTo(MacPoolException.Reason.INVALID);
        // outside the prefix is fine for a claim (imported VM with a vendor MAC)
        assertThat(p.claim(mac("00:16:3e:00:00:01"), "vm/a/nic0").owner()).isEqualTo("vm/a/nic0");
        assertThat(p.claim(mac("00:16:3e:00:00:01"), "vm/a/nic0").owner()).isEqualTo("vm/a/nic0"); // idempotent
        assertThatThrownBy(() -> p.claim(mac("00:16:3e:00:00:01"), "vm/b/nic0")).isInstanceOf(MacPoolException.class)
                .hasMessageContaining("vm/a/nic0").extracting("reason").isEqualTo(MacPoolException.Reason.TAKEN);
    }

    @Test
    void releaseQuarantinesThenFrees() {
        MacPool p = pool("52:54:00:00:02:00", "52:54:00:00:02:00");
        MacAddress only = p.allocate("vm/a/nic0");
        assertThat(p.release(only).orElseThrow().state()).isEqualTo(MacState.QUARANTINED);
        assertThatThrownBy(() -> p.allocate("vm/b/nic0")).extracting("reason").isEqualTo(MacPoolException.Reason.EXHAUSTED);
        assertThatThrownBy(() -> p.claim(only, "vm/b/nic0")).extracting("reason").isEqualTo(MacPoolException.Reason.TAKEN);
        clock.advance(Duration.ofMinutes(59));
        assertThat(p.reclaimQuarantined()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(p.allocate("vm/b/nic0")).isEqualTo(only);
    }

    @Test
    void rebuildsFromTheStoreAndRespectsOtherServers() {
        MacPool first = pool("52:54:00:00:03:00", "52:54:00:00:03:03");
        MacAddress a = first.allocate("vm/a/nic0");
        MacPool second = pool("52:54:00:00:03:00", "52:54:00:00:03:03");
        assertThat(second.freeCount()).isEqualTo(3);
        Set<MacAddress> got = new HashSet<>(Set.of(a));
        // interleaved pools with stale indexes still never hand out a MAC twice
        got.add(first.allocate("vm/b/nic0"));
        got.add(second.allocate("vm/c/nic0"));
        got.add(first.allocate("vm/d/nic0"));
        assertThat(got).hasSize(4);
        assertThatThrownBy(() -> second.allocate("vm/e/nic0")).extracting("reason").isEqualTo(MacPoolException.Reason.EXHAUSTED);
    }

    @Test
    void storeFailureIsReportedAndNothingIsLost() {
        MacPool p = pool("52:54:00:00:04:00", "52:54:00:00:04:00");
        store.failWrites(true);
        assertThatThrownBy(() -> p.allocate("vm/a/nic0")).extracting("reason").isEqualTo(MacPoolException.Reason.STORE_UNAVAILABLE);
        store.failWrites(false);
        assertThat(p.allocate("vm/a/nic0")).isEqualTo(mac("52:54:00:00:04:00"));
    }
}
