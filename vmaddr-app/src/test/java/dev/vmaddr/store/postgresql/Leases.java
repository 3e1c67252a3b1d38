package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.time.Duration;
import java.time.Instant;

/** Lease values for the PostgreSQL store tests. */
final class Leases {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private Leases() {}

    static MacAddress mac(int n) {
        return new MacAddress(0x5254_0000_0000L | n);
    }

    static Ipv4Address ip(String text) {
        return Ipv4Address.parse(text);
    }

    static Lease bound(String network, Ipv4Address ip, MacAddress mac, Instant now, Duration time) {
        return new Lease(network, ip, mac, null, "host-" + mac.octet(5), LeaseState.BOUND, now.plus(time), now);
    }

    static Lease boundById(String network, Ipv4Address ip, MacAddress mac, String clientId, Instant now, Duration time) {
        return new Lease(network, ip, mac, new ClientId(clientId), null, LeaseState.BOUND, now.plus(time), now);
    }
}
