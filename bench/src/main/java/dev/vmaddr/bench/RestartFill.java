package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.serve.StoreOpener;
import dev.vmaddr.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills the store a config names (embedded data dir or PostgreSQL database) for the restart benchmark
 * (bench/scripts/restart-1m.sh): the config's networks, then {@code leases} BOUND leases spread over
 * their pools, written in imports of 10,000. Every new binding is a history event in both stores, so
 * 1,000,000 leases are also 1,000,000 history events. Leases run until well after the benchmark (the
 * engine counts them as taken) and were written an hour ago (inside any {@code history.keep}).
 *
 * <p>{@code RestartFill CONFIG N renew M} renews M of the leases already there (M log records after the
 * snapshot: the next start replays them).
 *
 * <p>Single file on purpose: the script runs it with the application's jar through the source launcher
 * ({@code java -cp vmaddr-all.jar RestartFill.java CONFIG N}), no bench build needed.
 */
public final class RestartFill {
    public static void main(String[] args) {
        VmaddrConfig config = ConfigLoader.load(Path.of(args[0]));
        int leases = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        // "renew N": the store is filled already; N of its leases are renewed (log records after the snapshot,
        // replayed at the next start: the restart after a busy hour, not the one right after a snapshot).
        int renew = args.length > 3 && args[2].equals("renew") ? Integer.parseInt(args[3]) : 0;
        Instant now = Instant.now();
        Instant updated = now.minusSeconds(3600);
        Instant expires = now.plusSeconds(30L * 86400);
        List<NetworkSpec> networks = config.networks();
        long t0 = System.nanoTime();
        try (Store store = StoreOpener.open(config, Clock.systemUTC())) {
            if (renew > 0) {
                renew(store, renew, now);
                return;
            }
            for (NetworkSpec n : networks) {
                store.networks().put(n);
            }
            // Lease n goes to network n % N, the (n / N)-th address of its pools: every network equally full.
            int[][] pools = new int[networks.size()][];
            for (int i = 0; i < networks.size(); i++) {
                Ipv4Range first = networks.get(i).pools().getFirst();
                pools[i] = new int[] {first.first().value(), first.last().value()};
            }
            List<Lease> batch = new ArrayList<>(10_000);
            for (int n = 0; n < leases; n++) {
                int net = n % networks.size();
                int ip = pools[net][0] + n / networks.size();
                if (Integer.compareUnsigned(ip, pools[net][1]) > 0) {
                    throw new IllegalArgumentException("the first pool of " + networks.get(net).name() + " is too small for "
                            + leases + " leases over " + networks.size() + " networks");
                }
                batch.add(new Lease(networks.get(net).name(), new Ipv4Address(ip), new MacAddress(0x5254_0000_0000L | n), null,
                        "vm-" + n, LeaseState.BOUND, expires, updated));
                if (batch.size() == 10_000 || n == leases - 1) {
                    store.leases().putAll(batch, now);
                    batch.clear();
                }
                if ((n + 1) % 100_000 == 0) {
                    System.out.printf("%,d leases in %.1f s%n", n + 1, (System.nanoTime() - t0) / 1e9);
                }
            }
            System.out.printf("filled: %,d leases in %,d networks, store now holds %,d, %.1f s%n", leases, networks.size(),
                    store.leases().count(), (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void renew(Store store, int count, Instant now) {
        long t0 = System.nanoTime();
        List<Lease> batch = new ArrayList<>(10_000);
        int[] done = {0};
        store.leases().forEach(l -> {
            if (done[0]++ < count) {
                batch.add(l.withState(l.state(), now.plusSeconds(7200), now));
                if (batch.size() == 10_000) {
                    store.leases().putAll(batch, now);
                    batch.clear();
                }
            }
        });
        if (!batch.isEmpty()) {
            store.leases().putAll(batch, now);
        }
        System.out.printf("renewed %,d leases in %.1f s%n", Math.min(count, done[0]), (System.nanoTime() - t0) / 1e9);
    }
}
