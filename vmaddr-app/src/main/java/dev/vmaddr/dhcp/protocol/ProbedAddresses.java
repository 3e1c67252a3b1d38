package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Addresses that recently probed free, so a client that DISCOVERs again (or several clients in turn)
 * does not wait for another probe of the same address. Thread-safe (one concurrent map). Bounded: past
 * {@link #MAX_ENTRIES} it forgets everything, which only costs extra probes.
 */
final class ProbedAddresses {
    static final int MAX_ENTRIES = 65_536;

    private record Key(String network, Ipv4Address ip) {
    }

    private final ConcurrentHashMap<Key, Instant> freeAt = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration freshFor;

    ProbedAddresses(Clock clock, Duration freshFor) {
        this.clock = clock;
        this.freshFor = freshFor;
    }

    boolean recentlyFree(String network, Ipv4Address ip) {
        Instant at = freeAt.get(new Key(network, ip));
        return at != null && at.plus(freshFor).isAfter(clock.instant());
    }

    void rememberFree(String network, Ipv4Address ip) {
        if (freeAt.size() >= MAX_ENTRIES) {
            freeAt.clear();
        }
        freeAt.put(new Key(network, ip), clock.instant());
    }

    void forget(String network, Ipv4Address ip) {
        freeAt.remove(new Key(network, ip));
    }
}
