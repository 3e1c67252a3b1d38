package dev.vmaddr.model;

/** What a VM's NIC gives back to the network, and when. */
public enum ReleasePolicy {
    ON_DELETE("on-delete"),
    ON_STOP("on-stop"),
    NEVER("never");

    private final String wireName;

    ReleasePolicy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ReleasePolicy fromWireName(String s) {
        for (ReleasePolicy p : values()) {
            if (p.wireName.equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("release must be on-delete, on-stop or never, not \"" + s + "\"");
    }
}
