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
    /** A MAC the hypervisor gives this VM's NIC (a libvirt domain's) is held by another VM's NIC. */
    MAC_CONFLICT("mac-conflict");

    private final String wireName;

    DriftKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
