package dev.vmaddr.addr;

/** An inclusive range of IPv4 addresses, {@code first-last}. */
public record Ipv4Range(Ipv4Address first, Ipv4Address last) {
    public Ipv4Range {
        if (first.compareTo(last) > 0) {
            throw new IllegalArgumentException("range " + first + "-" + last + " ends before it starts");
        }
    }

    /** Parses {@code a.b.c.d-e.f.g.h}, a single address, or a CIDR prefix (its whole span). */
    public static Ipv4Range parse(String text) {
        if (text == null) {
            throw new AddressFormatException("address range", "null", "missing");
        }
        String s = text.strip();
        try {
            if (s.contains("/")) {
                Ipv4Prefix p = Ipv4Prefix.parse(s);
                return new Ipv4Range(p.network(), p.broadcast());
            }
            int dash = s.indexOf('-');
            if (dash < 0) {
                Ipv4Address a = Ipv4Address.parse(s);
                return new Ipv4Range(a, a);
            }
            Ipv4Address first = Ipv4Address.parse(s.substring(0, dash));
            Ipv4Address last = Ipv4Address.parse(s.substring(dash + 1));
            if (first.compareTo(last) > 0) {
                throw new AddressFormatException("address range", text, "ends before it starts");
            }
            return new Ipv4Range(first, last);
        } catch (AddressFormatException e) {
            if (e.input().equals(text)) {
                throw e;
            }
            throw new AddressFormatException("address range", text, e.getMessage());
        }
    }

    public static Ipv4Range single(Ipv4Address a) {
        return new Ipv4Range(a, a);
    }

    public long size() {
        return last.unsigned() - first.unsigned() + 1;
    }

    public boolean contains(Ipv4Address a) {
        return a.compareTo(first) >= 0 && a.compareTo(last) <= 0;
    }

    public boolean overlaps(Ipv4Range o) {
        return first.compareTo(o.last) <= 0 && o.first.compareTo(last) <= 0;
    }

    @Override
    public String toString() {
        return first.equals(last) ? first.toString() : first + "-" + last;
    }
}
