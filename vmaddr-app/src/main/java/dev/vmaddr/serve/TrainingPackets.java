package dev.vmaddr.serve;

/**
 * Reading and patching encoded DHCPv4 packets in place, for the synthetic clients of the AOT
 * training ({@link TrainingClients}) and the serve-loop benchmark: they encode each kind of packet
 * once and then only change the MAC, the xid and the addresses in the bytes, so the clients cost
 * almost nothing next to the server they drive. Offsets are RFC 2131's fixed header.
 */
public final class TrainingPackets {
    public static final int XID = 4;
    public static final int CIADDR = 12;
    public static final int YIADDR = 16;
    public static final int CHADDR = 28;
    /** Where the options start: after the fixed header and the magic cookie. */
    private static final int OPTIONS = 240;

    private TrainingPackets() {}

    /** The client hardware address (chaddr) as a 48-bit number. */
    public static long macOf(byte[] d) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = mac << 8 | (d[CHADDR + i] & 0xFF);
        }
        return mac;
    }

    /** The DHCP message type (option 53), or -1 without one. */
    public static int messageType(byte[] d) {
        for (int i = OPTIONS; i + 2 < d.length && (d[i] & 0xFF) != 255; ) {
            int code = d[i] & 0xFF;
            if (code == 0) {
                i++;
                continue;
            }
            if (code == 53) {
                return d[i + 2];
            }
            i += 2 + (d[i + 1] & 0xFF);
        }
        return -1;
    }

    /** The offset of the value of the option whose code, length and first bytes are {@code needle}, or -1. */
    public static int find(byte[] hay, byte[] needle) {
        outer:
        for (int i = OPTIONS; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i + 2;
        }
        return -1;
    }

    public static void putInt(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 24);
        p[at + 1] = (byte) (v >>> 16);
        p[at + 2] = (byte) (v >>> 8);
        p[at + 3] = (byte) v;
    }

    public static int getInt(byte[] p, int at) {
        return (p[at] & 0xFF) << 24 | (p[at + 1] & 0xFF) << 16 | (p[at + 2] & 0xFF) << 8 | p[at + 3] & 0xFF;
    }
}
