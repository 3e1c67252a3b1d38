package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.time.Instant;

/**
 * Runs the lease cache's lookups and writes with every outcome on a scratch cache when a store opens,
 * so that the JIT's profiles of them hold every branch (issue 24).
 *
 * <p>Why: C2 compiles what the profile shows. A server whose traffic is new clients sees every lookup
 * miss ({@link LeaseCache#get} and {@link LeaseCache#findByHolder} return nothing), compiles them with
 * "never found" speculated (a null assertion), and the first lookup that finds a lease deoptimizes the
 * whole request path they are inlined into, which C2 then compiles again. Measured in the two-server
 * benchmark (bench/scripts/dhcp-rate-pgsql.sh, JFR): 5-6 such traps in {@code LeaseCache.get} at the
 * start of a run, and 2.5-3 s of C2 CPU per server in the next 5 s, more than the requests took. A
 * profile belongs to the method, not to the instance, so a scratch cache nobody reads teaches it; the
 * AOT cache the build ships cannot, since its training runs without a database.
 */
final class LookupWarmup {
    /** Leases in the scratch cache; lookups alternate between them and as many absent keys. */
    private static final int LEASES = 64;
    /** Enough calls for the profiling tier to record both outcomes many times over (C2 compiles at ~5,000). */
    private static final int ROUNDS = 12_000;
    private static final String NETWORK = "jit-warmup";
    private static final Instant T0 = Instant.EPOCH;

    private LookupWarmup() {}

    /** The same address wanted by another client (another MAC). */
    private static Lease other(Lease l) {
        return new Lease(NETWORK, l.ip(), new MacAddress(0x0600_0000_0000L + (l.ip().unsigned() & 0xFFFF)), null, null,
                LeaseState.BOUND, T0.plusSeconds(3600), T0);
    }

    /** Returns how many lookups found a lease (about half), so that nothing here is dead code. */
    static int run() {
        LeaseCache scratch = new LeaseCache();
        Lease[] leases = new Lease[LEASES * 2];
        for (int i = 0; i < leases.length; i++) {
            leases[i] = new Lease(NETWORK, new Ipv4Address(0x0A00_0000 + i), new MacAddress(0x0200_0000_0000L + i), null,
                    null, LeaseState.BOUND, T0.plusSeconds(3600), T0);
        }
        long seq = 0;
        for (int i = 0; i < LEASES; i++) {
            scratch.apply(new Versioned(leases[i], ++seq)); // new keys
        }
        int found = 0;
        for (int r = 0; r < ROUNDS; r++) {
            Lease l = leases[r % leases.length]; // present for the first half of the array, absent for the second
            found += scratch.get(NETWORK, l.ip()).isPresent() ? 1 : 0;
            found += scratch.findByHolder(NETWORK, l.holder()).isPresent() ? 1 : 0;
            // the deferred write's check: free, held by the writer itself, held by another holder, run out
            Lease writer = (r & 3) == 0 ? l : other(l);
            found += LeaseCommitter.blockerInCache(scratch, writer, (r & 7) == 1 ? T0.plusSeconds(7200) : T0) != null ? 1 : 0;
            if (r % 8 == 0 && r % leases.length < LEASES) {
                scratch.apply(new Versioned(l, ++seq)); // a newer version of a cached lease
                scratch.apply(new Versioned(l, 1)); // an older one, ignored
            }
        }
        for (int i = 0; i < LEASES; i += 2) {
            scratch.remove(NETWORK, leases[i].ip(), ++seq); // tombstones
        }
        scratch.pruneTombstones();
        return found;
    }
}
