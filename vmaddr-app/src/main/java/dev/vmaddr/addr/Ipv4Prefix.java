package dev.vmaddr.addr;

/** An IPv4 network in CIDR notation. The address has no host bits set. */
public record Ipv4Prefix(Ipv4Address network, int length) {
    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0-32");
        }
        if ((network.value() & ~mask(length)) != 0) {
            throw new IllegalArgumentException(network + "/" + length + " has host bits set");
        }
    }

    /** Parses {@code a.b.c.d/n}; host bits must be zero (198.18.0.0/24, not 198.18.0.5/24). */
    public static Ipv4Prefix parse(String text) {
        PrefixText<Ipv4Address> p = PrefixText.parse("CIDR prefix", text, Ipv4Address::parse, 32);
        Ipv4Address address = p.address();
        int length = p.length();
        if ((address.value() & ~mask(length)) != 0) {
            throw new AddressFormatException("CIDR prefix", text,
                    "host bits set; did you mean " + new Ipv4Address(address.value() & mask(length)) + "/" + length + "?");
        }
        return new Ipv4Prefix(address, length);
    }

    static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    public Ipv4Address netmask() {
        return new Ipv4Address(mask(length));
    }

    public Ipv4Address broadcast() {
        return new Ipv4Address(network.value() | ~mask(length));
    }

    public long size() {
        return 1L << (32 - length);
    }

    public boolean contains(Ipv4Address address) {
        return (address.value() & mask(length)) == network.value();
    }

    public boolean contains(Ipv4Range range) {
        return contains(range.first()) && contains(range.last());
    }

    public boolean overlaps(Ipv4Prefix other) {
        return contains(other.network) || other.contains(network);
    }

    /** The network and broadcast addresses, which are never given to a host (except in /31 and /32). */
    public boolean isNetworkOrBroadcast(Ipv4Address address) {
        return length < 31 && (address.equals(network) || address.equals(broadcast()));
    }

    @Override
    public String toString() {
        return network + "/" + length;
    }
}
