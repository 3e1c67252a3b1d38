package dev.vmaddr.dhcp.protocol;

/** What happened to a lease because of a DHCP message. */
public enum LeaseEvent {
    OFFERED, BOUND, RENEWED,
    /** Renewal ACKed from the lease as stored, for its remaining time, while the store cannot write (issue 20 item 7). */
    RENEWED_FROM_CACHE,
    OFFER_RETRACTED, RELEASED, DECLINED, CONFLICT
}
