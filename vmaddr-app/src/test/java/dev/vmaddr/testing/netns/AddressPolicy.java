package dev.vmaddr.testing.netns;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tests may only use 198.18.0.0/15 (reserved for benchmarking, never routed on the Internet) and
 * 127.0.0.0/8, so a mistake in a test can never send traffic to a real network.
 */
final class AddressPolicy {
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");

    private AddressPolicy() {}

    /** Accepts "a.b.c.d" or "a.b.c.d/len" inside the allowed ranges, else throws. */
    static String check(String cidr) {
        Matcher m = CIDR.matcher(cidr);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an IPv4 address or prefix: " + cidr);
        }
        int a = octet(m, 1, cidr);
        int b = octet(m, 2, cidr);
        octet(m, 3, cidr);
        octet(m, 4, cidr);
        int length = m.group(5) == null ? 32 : Integer.parseInt(m.group(5));
        boolean benchmarking = a == 198 && (b == 18 || b == 19) && length >= 15;
        boolean loopback = a == 127 && length >= 8;
        if (!(benchmarking || loopback) || length > 32) {
            throw new IllegalArgumentException("tests may only use 198.18.0.0/15 and 127.0.0.0/8, not " + cidr);
        }
        return cidr;
    }

    private static int octet(Matcher m, int group, String cidr) {
        int v = Integer.parseInt(m.group(group));
        if (v > 255) {
            throw new IllegalArgumentException("octet out of range in " + cidr);
        }
        return v;
    }
}
