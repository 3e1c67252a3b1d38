package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;

/** The part of {@code dev.vmaddr.mac.MacPool} the VM inventory uses. */
public interface VmMacPool {
    /** A free MAC from the pool, now allocated to {@code owner} (durable). */
    MacAddress allocate(String owner);

    /**
     * Claims a given MAC for {@code owner} (durable).
     *
     * @throws VmException CONFLICT when it is allocated to someone else, reserved, observed or quarantined
     */
    MacAddress claim(MacAddress mac, String owner);

    /**
     * Moves an allocated MAC from owner {@code from} to {@code to} (durable).
     *
     * @throws VmException CONFLICT when {@code from} does not hold it
     */
    void transfer(MacAddress mac, String from, String to);

    /** Gives the MAC back; the pool quarantines it. */
    void release(MacAddress mac);

    /** Where the host or a neighbour of it carries {@code mac} (an interface, an ARP entry); empty when nowhere. */
    default java.util.Optional<String> carriedByHost(MacAddress mac) {
        return java.util.Optional.empty();
    }

    /** A DHCP client with {@code mac} bound an address: the pool keeps it from VMs when it lies in its ranges. */
    default void noteLeasedBy(MacAddress mac, String where) {
    }

    /** Notes a MAC seen on a network that vmaddr did not hand out, so the pool never hands it out. */
    void observe(MacAddress mac, String where);
}
