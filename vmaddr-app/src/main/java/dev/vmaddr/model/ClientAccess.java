package dev.vmaddr.model;

/**
 * Which DHCP clients a network answers (the network key {@code clients:}): {@code any} client, or
 * only those vmaddr {@code knows for the network (VM NICs, reservations, imported or CNI holders,
 * existing leases); PRODUCT.md "Known clients only".
 */
public enum ClientAccess {
    ANY("any"),
    KNOWN("known");

    private final String wireName;

    ClientAccess(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ClientAccess fromWireName(String s) {
        for (ClientAccess a : values()) {
            if (a.wireName.equals(s)) {
                return a;
            }
        }
        throw new IllegalArgumentException("clients must be any or known, not \"" + s + "\"");
    }
}
