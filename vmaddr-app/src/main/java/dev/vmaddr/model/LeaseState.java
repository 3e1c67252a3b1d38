package dev.vmaddr.model;

import java.util.Locale;

/** Where a lease is in its life. Printed lower-case in JSON, the CLI and logs. */
public enum LeaseState {
    /** Proposed to a client (DHCPOFFER) and held briefly; not yet durable. */
    OFFERED,
    /** Held by its client until {@code expiresAt}. */
    BOUND,
    /** Given back by its client; free, and remembered so the client gets it again (sticky). */
    RELEASED,
    /** Not renewed in time; free, and remembered for stickiness. */
    EXPIRED,
    /** Refused by a client (DHCPDECLINE) or found in use by a probe: quarantined until {@code expiresAt}. */
    DECLINED;

    /** States in which the address is taken until the lease's {@code expiresAt}. */
    public boolean occupies() {
        return this == OFFERED || this == BOUND || this == DECLINED;
    }

    // Computed once: wireName() is called per lease written (the store's record codec, history), and
    // toLowerCase made a String each time.
    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }

    public static LeaseState fromWireName(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
