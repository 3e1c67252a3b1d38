package dev.vmaddr.addr;

/** An IPv6 prefix; vmaddr uses /64 prefixes to derive SLAAC addresses. */
public record Ipv6Prefix(Ipv6Address network, int length) {
    public Ipv6Prefix {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length " + length + " is outside 0-128");
        }
        Ipv6Address masked = maskOf(network, length);
        if (!masked.equals(network)) {
            throw new IllegalArgumentException(network + "/" + length + " has host bits set");
        }
    }

    public static Ipv6Prefix parse(String text) {
        PrefixText<Ipv6Address> p = PrefixText.parse("IPv6 prefix", text, Ipv6Address::parse, 128);
        Ipv6Address a = p.address();
        int length = p.length();
        if (!maskOf(a, length).equals(a)) {
            throw new AddressFormatException("IPv6 prefix", text, "host bits set");
        }
        return new Ipv6Prefix(a, length);
    }

    private static Ipv6Address maskOf(Ipv6Address a, int length) {
        long hiMask = length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
        long loMask = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
        return new Ipv6Address(a.high() & hiMask, a.low() & loMask);
    }

    public boolean contains(Ipv6Address a) {
        return maskOf(a, length).equals(network);
    }

    /** The stateless autoconfiguration address of {@code mac} in this /64 (RFC 4862, RFC 4291 appendix A). */
    public Ipv6Address slaacAddress(MacAddress mac) {
        if (length != 64) {
            throw new IllegalStateException("SLAAC needs a /64 prefix, not /" + length);
        }
        return new Ipv6Address(network.high(), mac.eui64InterfaceId());
    }

    @Override
    public String toString() {
        return network + "/" + length;
    }
}
