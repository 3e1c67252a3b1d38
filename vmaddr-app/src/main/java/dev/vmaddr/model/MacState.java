package dev.vmaddr.model;

/** Why a MAC is unavailable to the pool. */
public enum MacState {
    /** Handed out (or claimed) for an owner, usually a VM NIC. */
    ALLOCATED,
    /** Set aside by an operator; never handed out. */
    RESERVED,
    /** Seen on a network (guest agent, DHCP, ARP) without being allocated by vmaddr. */
    OBSERVED,
    /** Released recently; unavailable until {@code until}, so a stale ARP cache or a late guest cannot clash. */
    QUARANTINED
}
