package dev.vmaddr.mac;

import dev.vmaddr.addr.MacAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the MAC pool hands out.
 *
 * <p>The rule for the prefix: its first octet must be unicast (I/G bit clear) and locally
 * administered (U/L bit set). A MAC from a universally administered OUI (00:16:3e, 00:50:56, ...)
 * belongs to that vendor's numbering, and inventing addresses in it risks clashing with real
 * hardware; the locally administered space is ours to use. QEMU/KVM's customary 52:54:00 has the
 * U/L bit set (0x52 = 0101 0010), so the default satisfies the same rule as {@code 02:xx:xx}.
 *
 * @param prefix     the first three octets, e.g. 0x525400
 * @param ranges     optional sub-ranges of the prefix's 2^24 addresses; empty means all of them
 * @param quarantine how long a released MAC stays unavailable
 */
public record MacPoolSpec(int prefix, List<Range> ranges, Duration quarantine) {
    public static final int KVM_PREFIX = 0x525400;
    public static final Duration DEFAULT_QUARANTINE = Duration.ofHours(1);

    /** An inclusive range of MACs, both inside the prefix. */
    public record Range(MacAddress first, MacAddress last) {
        public Range {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(last, "last");
            if (first.compareTo(last) > 0) {
                throw new IllegalArgumentException("MAC range " + first + "-" + last + " ends before it starts");
            }
        }
    }

    public MacPoolSpec {
        if (prefix < 0 || prefix > 0xFFFFFF) {
            throw new IllegalArgumentException("MAC prefix must be three octets");
        }
        int first = prefix >>> 16;
        if ((first & 0x01) != 0) {
            throw new IllegalArgumentException("MAC prefix " + prefixText(prefix) + " is multicast (first octet is odd)");
        }
        if ((first & 0x02) == 0) {
            throw new IllegalArgumentException("MAC prefix " + prefixText(prefix)
                    + " is universally administered (a vendor OUI); use 52:54:00 or a prefix with the locally administered bit set, e.g. 02:xx:xx");
        }
        ranges = List.copyOf(ranges == null ? List.of() : ranges);
        for (int i = 0; i < ranges.size(); i++) {
            Range r = ranges.get(i);
            if (r.first().value() >>> 24 != prefix || r.last().value() >>> 24 != prefix) {
                throw new IllegalArgumentException("ranges[" + i + "] " + r.first() + "-" + r.last()
                        + " is not inside prefix " + prefixText(prefix));
            }
        }
        quarantine = quarantine == null ? DEFAULT_QUARANTINE : quarantine;
        if (quarantine.isNegative()) {
            throw new IllegalArgumentException("MAC quarantine must not be negative");
        }
    }

    public static MacPoolSpec defaults() {
        return new MacPoolSpec(KVM_PREFIX, List.of(), null);
    }

    /** Parses {@code 52:54:00} (also {@code 52-54-00}, {@code 525400}). */
    public static int parsePrefix(String text) {
        String hex = text == null ? "" : text.strip().replace(":", "").replace("-", "");
        if (hex.length() != 6 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
            throw new IllegalArgumentException("MAC prefix \"" + text + "\" must be three octets like 52:54:00");
        }
        return Integer.parseInt(hex, 16);
    }

    public static String prefixText(int prefix) {
        return String.format("%02x:%02x:%02x", prefix >>> 16, (prefix >>> 8) & 0xFF, prefix & 0xFF);
    }

    public boolean contains(MacAddress mac) {
        if (mac.value() >>> 24 != prefix) {
            return false;
        }
        if (ranges.isEmpty()) {
            return true;
        }
        for (Range r : ranges) {
            if (mac.compareTo(r.first()) >= 0 && mac.compareTo(r.last()) <= 0) {
                return true;
            }
        }
        return false;
    }
}
