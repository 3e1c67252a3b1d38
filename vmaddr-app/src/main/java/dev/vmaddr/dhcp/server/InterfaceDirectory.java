package dev.vmaddr.dhcp.server;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.transport.NetworkInterfaces;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Name and IPv4 address of the interface behind an ifindex, cached: asking the kernel costs several
 * syscalls, and every request needs its interface's address as the server identifier. Entries are
 * refreshed after {@code ttl} so an address added to a bridge after start is picked up.
 *
 * <p>Thread-safe: a concurrent map of immutable entries; two threads may both refresh one entry,
 * which is harmless.
 */
final class InterfaceDirectory {
    /** {@code expiresAtMillis}: in the clock's millis, a long rather than an Instant so a lookup allocates nothing. */
    record Entry(String name, Ipv4Address address, long expiresAtMillis) {}

    private final ConcurrentHashMap<Integer, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration ttl;

    InterfaceDirectory(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The interface, or an entry with null name and address when the index is unknown. */
    Entry lookup(int ifIndex) {
        long now = clock.millis();
        Entry e = entries.get(ifIndex);
        if (e != null && e.expiresAtMillis > now) {
            return e;
        }
        Entry fresh;
        try {
            String name = NetworkInterfaces.nameOf(ifIndex).orElse(null);
            Ipv4Address address = name == null ? null
                    : NetworkInterfaces.primaryIpv4(ifIndex).map(Ipv4Address::of).orElse(null);
            fresh = new Entry(name, address, now + ttl.toMillis());
        } catch (SocketException ex) {
            fresh = new Entry(null, null, now + ttl.toMillis());
        }
        entries.put(ifIndex, fresh);
        return fresh;
    }
}
