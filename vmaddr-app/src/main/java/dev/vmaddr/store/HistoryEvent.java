package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;

/**
 * One change of who holds an address or a MAC ("who had 198.18.0.7 last Tuesday?").
 *
 * @param network null for MAC events
 * @param ip      null for MAC events
 * @param holder  the lease holder or MAC owner, e.g. {@code mac:52:54:00:..}, {@code vm/web1/nic0}
 * @param action  e.g. {@code bound}, {@code released}, {@code expired}, {@code declined},
 *                {@code mac-allocated}, {@code mac-released}
 */
public record HistoryEvent(Instant at, String network, Ipv4Address ip, MacAddress mac, String holder, String action) {}
