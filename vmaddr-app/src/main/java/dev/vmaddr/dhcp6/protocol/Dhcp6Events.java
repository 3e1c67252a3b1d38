package dev.vmaddr.dhcp6.protocol;

import dev.vmaddr.model.Lease6;

/**
 * What the DHCPv6 server did, for metrics and logs; thread-safe and quick, like the DHCPv4 events.
 * Every method defaults to a no-op.
 */
public interface Dhcp6Events {
    Dhcp6Events NONE = new Dhcp6Events() {
    };

    default void received(int type) {
    }

    default void sent(int type) {
    }

    default void malformed(String reason) {
    }

    /** A well-formed message that gets no answer (wrong server id, no network, ...). */
    default void dropped(String reason) {
    }

    default void bound(Lease6 lease) {
    }

    default void released(Lease6 lease) {
    }

    default void declined(Lease6 lease) {
    }
}
