package dev.vmaddr.ipam;

import dev.vmaddr.index.FreeBitmap;

/**
 * Where to look for a free pool address, after Kea's {@code allocator.h}: an allocator only
 * proposes candidates; the engine ({@link Candidates}) checks each against in-flight claims and the
 * store and asks for the next when one is stale. Strategy and rules stay apart, so a new strategy
 * cannot break a rule: the worst a bad proposal costs is another round.
 */
interface Allocator {

    /**
     * Begins a search of {@code free}'s set bits (the allocator only reads them; the engine marks a
     * stale candidate taken before asking for the next, so the search moves on).
     */
    Search search(FreeBitmap free);

    /** One search: candidates in the order the strategy prefers. */
    interface Search {
        /** The position of the next free bit to try; -1 when none is free. */
        long next();
    }
}
