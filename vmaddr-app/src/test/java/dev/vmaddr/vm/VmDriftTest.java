package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link VmDrift}: the listener hears each appearance of a finding once, not each read. */
class VmDriftTest {
    private final VmFixture f = new VmFixture();
    private final VmInventory inv = f.inventory;
    private final List<String> counted = new ArrayList<>();
    private final VmDrift drift = new VmDrift(inv, (subject, finding) -> counted.add(finding.kind().wireName()));

    @Test
    void driftListenerHearsEachAppearanceOnce() throws Exception {
        inv.create("cnt", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        inv.setMac("cnt", "nic0", MacAddress.parse("52:54:00:00:77:01"));
        drift.findings("cnt");
        drift.findings("cnt");
        assertThat(counted).containsExactly("pending-change");
        inv.start("cnt");
        drift.findings("cnt");
        inv.setMac("cnt", "nic0", MacAddress.parse("52:54:00:00:77:02"));
        drift.findings("cnt");
        assertThat(counted).containsExactly("pending-change", "pending-change");
    }
}
