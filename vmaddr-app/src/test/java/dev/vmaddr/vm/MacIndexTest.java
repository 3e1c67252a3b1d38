package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link MacIndex}: spec and pending MACs find their VM; only what a VM newly holds is reported as taken. */
class MacIndexTest {
    private static final Instant T = Instant.parse("2025-06-14T09:43:25Z");
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    private static final MacAddress C = MacAddress.parse("02:00:00:00:00:0c");

    private final MacIndex index = new MacIndex();

    private static Vm vm(String name, MacAddress mac, MacAddress pending) {
        return new Vm(name, "hv1", VmState.STOPPED, List.of(new Nic("nic0", "t1", mac, pending, null, null)), null, T, T);
    }

    @Test
    void specAndPendingMacsFindTheirVmAndOnlyNewOnesAreTaken() {
        assertThat(index.reindex(null, vm("v1", A, null))).containsExactly(new MacIndex.TakenMac("t1", A));
        assertThat(index.reindex(vm("v1", A, null), vm("v1", A, B))).containsExactly(new MacIndex.TakenMac("t1", B));
        assertThat(index.vmOf(A)).contains("v1");
        assertThat(index.vmOf(B)).contains("v1");

        // The pending MAC became the spec: A is dropped, B kept, nothing new taken.
        assertThat(index.reindex(vm("v1", A, B), vm("v1", B, null))).isEmpty();
        assertThat(index.contains(A)).isFalse();
        assertThat(index.vmOf(B)).contains("v1");
    }

    @Test
    void aVmDroppingAMacAnotherVmHoldsNowLeavesItToThatVm() {
        index.reindex(null, vm("v1", A, null));
        index.reindex(null, vm("v2", A, C)); // v2 took A meanwhile (v1's change not applied yet)
        index.reindex(vm("v1", A, null), null);
        assertThat(index.vmOf(A)).contains("v2");
        assertThat(index.vmOf(C)).contains("v2");
    }
}
