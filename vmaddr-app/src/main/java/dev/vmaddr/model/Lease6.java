package dev.vmaddr.model;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * One DHCPv6 IA_NA address of one network and who holds (or last held) it: a client's DUID and the
 * IAID of its identity association (RFC 8415 12), with the MAC when the relay's client link-layer
 * address option or a DUID-LL/LLT gives one.
 *
 * @param mac      null when neither the DUID nor a relay gives one
 * @param hostname null when unknown
 */
public record Lease6(String network, Ipv6Address ip, Duid duid, long iaid, MacAddress mac, String hostname,
                     LeaseState state, Instant expiresAt, Instant updatedAt) {
    public Lease6 {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(duid, "duid");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** DUID + IAID: the key of a binding. */
    public record Holder(Duid duid, long iaid) {}

    public Holder holder() {
        return new Holder(duid, iaid);
    }

    public boolean occupiesAt(Instant now) {
        return state.occupies() && expiresAt.isAfter(now);
    }

    /**
     * This lease as of {@code now}: a bound lease past its valid lifetime is expired, even before the
     * reclaim round writes it so (the API and CLI never show a run-out lease as bound).
     */
    public Lease6 asOf(Instant now) {
        return state == LeaseState.BOUND && !expiresAt.isAfter(now) ? withState(LeaseState.EXPIRED, expiresAt, updatedAt) : this;
    }

    public Lease6 withState(LeaseState newState, Instant newExpiresAt, Instant now) {
        return new Lease6(network, ip, duid, iaid, mac, hostname, newState, newExpiresAt, now);
    }
}
