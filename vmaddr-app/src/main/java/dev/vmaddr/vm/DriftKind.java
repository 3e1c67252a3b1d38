package dev.vmaddr.vm;

/** The kinds of disagreement between what vmaddr gave a NIC and what was seen. */
public enum DriftKind {
    /** The guest uses a MAC that is neither the NIC's spec nor its pending MAC (seed 000). */
    MAC_CHANGED_IN_GUEST("mac-changed-in-guest"),
    /** The guest does not use the NIC's reserved address. */
    IP_MISMATCH("ip-mismatch"),
    /** The latest guest report shows no interface for the NIC. */
    NIC_MISSING("nic-missing"),
    /** A MAC change was accepted but the VM has not restarted since. */
    PENDING_CHANGE("pending-change"),
    /** A MAC was seen (in a guest report, or leasing on a network) that belongs to no NIC. */
    UNKNOWN_MAC("unknown-mac"),
    /**
     * One client-id bound from several MACs on a network: machines cloned or restored with the same
     * machine-id, which take one lease from each other (harvester#4474).
     */
    CLIENT_ID_SHARED("client-id-shared"),
    /**
     * The NIC's MAC is carried by another station too: a host interface or a neighbour of the host
     * (kubemacpool#77), or another VM's NIC holds the MAC a hypervisor (a libvirt domain) gives this NIC.
     */
    MAC_CONFLICT("mac-conflict");

    private final String wireName;

    DriftKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
