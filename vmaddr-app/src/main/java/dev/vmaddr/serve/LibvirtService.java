package dev.vmaddr.serve;

import dev.vmaddr.libvirt.LibvirtSync;
import dev.vmaddr.store.HistoryActor;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The libvirt sync loop: {@link LibvirtSync#tick} every interval on a thread of its own (history
 * actor {@code libvirt} bound for each tick), so a slow
 * or hung virsh (up to its timeout) delays only the next sync, never DHCP, the API or the other
 * background jobs. Ready from the start: libvirtd being away is a state ({@code vmaddr_libvirt_up}
 * 0), not a reason to refuse DHCP.
 */
final class LibvirtService implements Service {
    private final LibvirtSync sync;
    private final Duration interval;
    private ScheduledExecutorService loop;

    LibvirtService(LibvirtSync sync, Duration interval) {
        this.sync = sync;
        this.interval = interval;
    }

    @Override
    public String name() {
        return "libvirt";
    }

    @Override
    public void start() {
        loop = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("vmaddr-libvirt").daemon().factory());
        loop.scheduleWithFixedDelay(() -> HistoryActor.run(HistoryActor.LIBVIRT, sync::tick), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public void stop() {
        if (loop != null) {
            loop.shutdownNow(); // a virsh in flight is ended by its own timeout
            try {
                loop.awaitTermination(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
