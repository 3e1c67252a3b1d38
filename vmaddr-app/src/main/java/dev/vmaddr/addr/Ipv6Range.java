package dev.vmaddr.addr;

/**
 * An inclusive range of IPv6 addresses, {@code first-last}, inside one /64 (both share the upper 64
 * bits): DHCPv6 pools live in a network's /64, and keeping them there lets an address be a pool
 * offset in a long.
 */
public record Ipv6Range(Ipv6Address first, Ipv6Address last) {
    public Ipv6Range {
        if (first.high() != last.high()) {
            throw new IllegalArgumentException("range " + first + "-" + last + " spans more than one /64");
        }
        if (Long.compareUnsigned(first.low(), last.low()) > 0) {
            throw new IllegalArgumentException("range " + first + "-" + last + " ends before it starts");
        }
    }

    /** Parses {@code first-last} or a single address. */
    public static Ipv6Range parse(String text) {
        if (text == null) {
            throw new AddressFormatException("IPv6 range", "null", "missing");
        }
        String s = text.strip();
        int dash = s.indexOf('-');
        try {
            Ipv6Address first = Ipv6Address.parse(dash < 0 ? s : s.substring(0, dash));
            Ipv6Address last = dash < 0 ? first : Ipv6Address.parse(s.substring(dash + 1));
            if (first.high() != last.high()) {
                throw new AddressFormatException("IPv6 range", text, "spans more than one /64");
            }
            if (Long.compareUnsigned(first.low(), last.low()) > 0) {
                throw new AddressFormatException("IPv6 range", text, "ends before it starts");
            }
            return new Ipv6Range(first, last);
        } catch (AddressFormatException e) {
            if (e.input().equals(text)) {
                throw e;
            }
            throw new AddressFormatException("IPv6 range", text, e.getMessage());
        }
    }

    /** Number of addresses; saturates at {@link Long#MAX_VALUE} for a range of the whole /64. */
    public long size() {
        long span = last.low() - first.low();
        return span < 0 || span == Long.MAX_VALUE ? Long.MAX_VALUE : span + 1;
    }

    public boolean contains(Ipv6Address a) {
        return a.high() == first.high() && Long.compareUnsigned(a.low(), first.low()) >= 0
                && Long.compareUnsigned(a.low(), last.low()) <= 0;
    }

    /** The address {@code offset} places after {@link #first}. */
    public Ipv6Address at(long offset) {
        return new Ipv6Address(first.high(), first.low() + offset);
    }

    public boolean overlaps(Ipv6Range o) {
        return first.high() == o.first.high() && Long.compareUnsigned(first.low(), o.last.low()) <= 0
                && Long.compareUnsigned(o.first.low(), last.low()) <= 0;
    }

    @Override
    public String toString() {
        return first.equals(last) ? first.toString() : first + "-" + last;
    }
}
