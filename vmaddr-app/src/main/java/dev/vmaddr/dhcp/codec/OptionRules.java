package dev.vmaddr.dhcp.codec;

import static dev.vmaddr.dhcp.codec.OptionCodes.*;

/**
 * Length rules for the options that have typed accessors, so the accessors never meet a value they
 * cannot read: the decoder rejects such a packet, the builder refuses such an option.
 */
final class OptionRules {
    private OptionRules() {
    }

    /** Null when {@code data} is a valid value for {@code code}, else the reason. */
    static String check(int code, Octets data) {
        int n = data.length();
        return switch (code) {
            case MESSAGE_TYPE, OVERLOAD -> exactly(code, n, 1);
            case SUBNET_MASK, REQUESTED_IP, SERVER_ID, BROADCAST_ADDRESS, LEASE_TIME, RENEWAL_TIME,
                 REBINDING_TIME -> exactly(code, n, 4);
            case INTERFACE_MTU, MAX_MESSAGE_SIZE -> exactly(code, n, 2);
            case ROUTERS, DNS_SERVERS -> n == 0 || n % 4 != 0
                    ? "option " + code + " length " + n + ", expected a non-zero multiple of 4" : null;
            case CLIENT_ID -> n < 2 ? "option 61 length " + n + ", expected at least 2" : null;
            case CLASSLESS_ROUTES -> checkRoutes(data);
            default -> null;
        };
    }

    private static String exactly(int code, int n, int expected) {
        return n == expected ? null : "option " + code + " length " + n + ", expected " + expected;
    }

    private static String checkRoutes(Octets d) {
        if (d.length() < 5) {
            return "option 121 length " + d.length() + ", expected at least 5";
        }
        int i = 0;
        while (i < d.length()) {
            int width = d.get(i);
            if (width > 32) {
                return "option 121 prefix width " + width + " above 32";
            }
            int need = 1 + (width + 7) / 8 + 4;
            if (i + need > d.length()) {
                return "option 121 route at byte " + i + " runs past the option";
            }
            int significant = (width + 7) / 8;
            int network = 0;
            for (int k = 0; k < significant; k++) {
                network |= d.get(i + 1 + k) << (24 - 8 * k);
            }
            int mask = width == 0 ? 0 : -1 << (32 - width);
            if ((network & ~mask) != 0) {
                return "option 121 destination at byte " + i + " has bits beyond /" + width;
            }
            i += need;
        }
        return null;
    }
}
