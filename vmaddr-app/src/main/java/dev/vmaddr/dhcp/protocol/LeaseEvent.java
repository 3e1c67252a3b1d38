package dev.vmaddr.dhcp.protocol;

/** What happened to a lease because of a DHCP message. */
public enum LeaseEvent {
    OFFERED, BOUND, RENEWED, OFFER_RETRACTED, RELEASED, DECLINED, CONFLICT
}
