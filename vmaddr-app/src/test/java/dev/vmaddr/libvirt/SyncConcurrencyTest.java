package dev.vmaddr.libvirt;

import static dev.vmaddr.libvirt.LibvirtFixture.bridge;
import static dev.vmaddr.libvirt.LibvirtFixture.domain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Two syncs planned from the same state and applied at once (the loop and {@code vmaddr libvirt
 * sync --uri} of another connection to the same host): the inventory's own locks and the MAC pool
 * keep every VM, MAC and address single; the loser's steps are refused and reported, and one more
 * pass finds nothing to do.
 */
class SyncConcurrencyTest {
    @RepeatedTest(20)
    void twoAppliersOfTheSamePlanNeverDuplicate() throws Exception {
        LibvirtFixture f = new LibvirtFixture();
        List<Domain> domains = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            domains.add(domain("d" + i, i % 2 == 0 ? Domain.RUNNING : Domain.SHUT_OFF,
                    bridge(String.format("52:54:00:00:10:%02x", i), "br-t1"), bridge(null, "br-t2")));
        }
        SyncPlan plan = f.plan(domains);
        CyclicBarrier start = new CyclicBarrier(2);
        List<SyncResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await(5, TimeUnit.SECONDS);
                    results.add(new SyncApplier(f.inventory, f.managed).apply(plan, LibvirtFixture.URI, s -> { }));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(results).hasSize(2);

        Set<MacAddress> macs = new HashSet<>();
        Set<Object> ips = new HashSet<>();
        for (Vm vm : f.inventory.list()) {
            assertThat(vm.nics()).as(vm.name()).hasSize(2);
            for (Nic n : vm.nics()) {
                assertThat(macs.add(n.mac())).as("MAC %s once", n.mac()).isTrue();
                assertThat(ips.add(n.ip())).as("IP %s once", n.ip()).isTrue();
            }
        }
        assertThat(f.inventory.list()).hasSize(8);
        SyncPlan after = f.plan(domains);
        assertThat(after.vms()).as("a pass after the race finds nothing to do").allSatisfy(v -> assertThat(v.steps()).isEmpty());
        assertThat(results).as("the loser's creates refused and reported").anySatisfy(r -> assertThat(r.errors()).isNotEmpty());
    }
}
