package dev.vmaddr.dhcp.protocol;

/**
 * Client-sent host names (option 12) go into leases, logs and replies: keep only what a DNS label
 * allows so a hostile client cannot inject text into any of them.
 */
final class Hostnames {
    static final int MAX_LENGTH = 63;

    private Hostnames() {
    }

    /** Letters, digits, '-' and '.', at most 63 characters; null when nothing is left. */
    static String sanitize(String raw) {
        StringBuilder sb = new StringBuilder(Math.min(raw.length(), MAX_LENGTH));
        for (int i = 0; i < raw.length() && sb.length() < MAX_LENGTH; i++) {
            char c = raw.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
                sb.append(c);
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
