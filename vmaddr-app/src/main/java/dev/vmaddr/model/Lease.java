package dev.vmaddr.model;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * One address of one network and who holds (or last held) it.
 *
 * @param clientId  null when the client sent no client-id
 * @param hostname  null when unknown
 * @param expiresAt end of the binding, offer or quarantine; for released/expired leases, when that happened
 * @param updatedAt when this lease record was last written
 */
public record Lease(String network, Ipv4Address ip, MacAddress mac, ClientId clientId, String hostname,
                    LeaseState state, Instant expiresAt, Instant updatedAt) {
    public Lease {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public HolderKey holder() {
        return HolderKey.of(clientId, mac);
    }

    /** Whether the address is taken at {@code now} (an occupying state that has not run out). */
    public boolean occupiesAt(Instant now) {
        return state.occupies() && expiresAt.isAfter(now);
    }

    public Lease withState(LeaseState newState, Instant newExpiresAt, Instant now) {
        return new Lease(network, ip, mac, clientId, hostname, newState, newExpiresAt, now);
    }
}
