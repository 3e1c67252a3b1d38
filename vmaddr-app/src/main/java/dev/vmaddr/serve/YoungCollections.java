package dev.vmaddr.serve;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Young collections on demand, before DHCP answers ({@link Server#start}): garbage is allocated in
 * 1 MB chunks until the collectors have run the number of times asked (bounded by the heap's size
 * per collection, so a collector that never runs cannot keep it looping).
 *
 * <p>Why not {@code System.gc()}: with 1,000,000 leases recovered, a full collection marks and
 * compacts ~300 MB on serve.options' single GC thread, 0.4-0.5 s of CPU on the way to readiness,
 * to move objects that recovery's own young collections have mostly promoted already. What is left
 * in the young generation (the engine's indexes, the API's objects: tens of MB) needs two young
 * collections: the first copies it to a survivor space, the second promotes it
 * ({@code MaxTenuringThreshold=1}). Then the first collection under traffic finds nothing of
 * start-up's to copy, which is what the collection before serving is for.
 */
final class YoungCollections {
    /** Keeps the chunks from being optimized away. */
    @SuppressWarnings("unused")
    private static volatile Object sink;

    private YoungCollections() {}

    /** Returns how many collections ran. */
    static long run(int collections) {
        List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        long start = count(gcs);
        long bound = (Runtime.getRuntime().maxMemory() >> 20) * collections;
        for (long i = 0; i < bound && count(gcs) - start < collections; i++) {
            sink = new byte[1 << 20];
        }
        sink = null;
        return count(gcs) - start;
    }

    private static long count(List<GarbageCollectorMXBean> gcs) {
        long n = 0;
        for (GarbageCollectorMXBean gc : gcs) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }
}
