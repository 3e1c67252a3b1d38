package dev.vmaddr.model;

/**
 * What identifies a DHCP client on a network (network key {@code leaseKey}). RFC 2131's rule is
 * {@code client-id}: the client-id when the client sends one, else its MAC. {@code mac} ignores
 * the client-id, for networks where VMs are cloned or restored from images that carry the same
 * machine-id (and so the same DUID-based client-id) on several MACs (harvester#4474): keyed by
 * client-id, such clones take one lease from each other; keyed by MAC, each NIC has its own.
 */
public enum LeaseKey {
    CLIENT_ID("client-id"),
    MAC("mac");

    private final String wireName;

    LeaseKey(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static LeaseKey fromWireName(String s) {
        for (LeaseKey k : values()) {
            if (k.wireName.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("leaseKey must be client-id or mac, not \"" + s + "\"");
    }
}
