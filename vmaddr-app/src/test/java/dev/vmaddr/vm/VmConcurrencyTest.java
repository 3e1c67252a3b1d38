package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VmConcurrencyTest {
    private static final int THREADS = 8;
    private static final int VMS_PER_THREAD = 20;

    @Test
    void concurrentCreatesAndMacChangesNeverShareAMacOrAnAddress() throws Exception {
        VmFixture f = new VmFixture();
        VmInventory inv = f.inventory;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < VMS_PER_THREAD; i++) {
                        String name = "vm-" + thread + "-" + i;
                        inv.create(name, "hv" + thread, List.of(new NicRequest("nic0", "t1", null), new NicRequest("nic1", "t1", null)));
                        inv.start(name);
                        if (i % 3 == 0) {
                            // Every thread asks for the same few MACs: exactly one NIC may get each.
                            try {
                                inv.setMac(name, "nic0", new MacAddress(0x02_18_00_00_00_00L + i));
                            } catch (VmException e) {
                                assertThat(e.kind()).isEqualTo(VmException.Kind.CONFLICT);
                            }
                            inv.restart(name);
                        }
                        if (i % 4 == 1) {
                            inv.delete(name);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> d : done) {
                d.get(60, TimeUnit.SECONDS);
            }
        }

        Set<MacAddress> macs = new HashSet<>();
        Set<Ipv4Address> ips = new HashSet<>();
        int nics = 0;
        for (Vm vm : inv.list()) {
            for (Nic n : vm.nics()) {
                nics++;
                assertThat(macs.add(n.mac())).as("MAC %s of %s/%s is unique", n.mac(), vm.name(), n.name()).isTrue();
                assertThat(ips.add(n.ip())).as("address %s of %s/%s is unique", n.ip(), vm.name(), n.name()).isTrue();
            }
        }
        assertThat(nics).isEqualTo(2 * THREADS * (VMS_PER_THREAD - VMS_PER_THREAD / 4));
        List<Reservation> reservations = f.reservations("t1");
        assertThat(reservations).hasSize(nics);
        for (Reservation r : reservations) {
            assertThat(macs).contains(r.mac());
            assertThat(f.bound("t1")).containsEntry(r.ip(), r.mac());
        }
    }
}
