package dev.vmaddr.ipam;

import dev.vmaddr.index.FreeBitmap;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Random start plus "next free bit" in the summarised bitmap: the same cost at 0 % and 99 % full,
 * no scan over leases or addresses. Each later candidate is the next free bit after the one before
 * (which the engine has marked taken meanwhile).
 *
 * <p><b>Servers sharing a store.</b> When several servers share the store (PostgreSQL), each starts
 * its searches near its own point of the index, with the servers' points spaced by the golden ratio
 * (servers numbered one after the other land far apart, for any pool size and any number of
 * servers), and a random offset within a {@link #STRIPES}th of the index. Each server fills the
 * addresses after its point, so two of them seldom choose the same one until the pool is nearly
 * full (each one's view of the other's choices is a poll behind; a collision is a NAK in DHCP).
 */
final class RandomStartAllocator implements Allocator {
    /** The fraction of the index within which a server sharing the store starts its searches. */
    static final int STRIPES = 16;
    private static final double GOLDEN_RATIO_FRACTION = 0.6180339887498949;

    private final RandomGenerator random;
    private final int sharingServer;

    /** @param sharingServer {@link dev.vmaddr.store.Store#sharingServerNumber()}: -1 when this server is the store's only user */
    RandomStartAllocator(RandomGenerator random, int sharingServer) {
        this.random = Objects.requireNonNull(random, "random");
        this.sharingServer = sharingServer;
    }

    @Override
    public Search search(FreeBitmap free) {
        long[] from = {start(free.size())};
        return () -> {
            long pos = free.nextFreeWrapping(from[0]);
            from[0] = pos;
            return pos;
        };
    }

    /** Where a search starts: anywhere, or near this server's own point when servers share the store. */
    private long start(long size) {
        if (sharingServer < 0) {
            return random.nextLong(size);
        }
        double point = (sharingServer * GOLDEN_RATIO_FRACTION) % 1.0;
        return ((long) (point * size) + random.nextLong(Math.max(1, size / STRIPES))) % size;
    }
}
