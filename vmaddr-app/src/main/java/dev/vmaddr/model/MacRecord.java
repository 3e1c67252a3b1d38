package dev.vmaddr.model;

import dev.vmaddr.addr.MacAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * One MAC the pool must not hand out, and why.
 *
 * @param owner who holds it (e.g. {@code vm/web1/nic0}); null when nobody does
 * @param until end of the quarantine; null for the other states
 */
public record MacRecord(MacAddress mac, MacState state, String owner, Instant until, Instant updatedAt) {
    public MacRecord {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (state == MacState.QUARANTINED && until == null) {
            throw new IllegalArgumentException("a quarantined MAC needs an end of quarantine");
        }
    }

    /** Whether this record keeps the MAC out of the pool at {@code now}. */
    public boolean blocksAt(Instant now) {
        return state != MacState.QUARANTINED || until.isAfter(now);
    }
}
