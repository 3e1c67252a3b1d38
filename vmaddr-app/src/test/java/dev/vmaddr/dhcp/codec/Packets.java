package dev.vmaddr.dhcp.codec;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.util.HexFormat;

/** Hand-assembled wire images in the shape real clients send (field values noted inline). */
public final class Packets {
    private Packets() {
    }

    public static final MacAddress MAC = MacAddress.parse("02:18:aa:00:00:07");

    /**
     * A DISCOVER as ISC dhclient 4.4 sends it: broadcast flag clear, option 53=1, 50 (its previous
     * address 198.18.0.120), 12 "vm7", 55 with 1,28,2,3,15,6,119,12,44,47,26,121,42, END, padded to 300.
     */
    public static byte[] dhclientDiscover() {
        String header = "01" + "01" + "06" + "00" + "3903f326" + "0000" + "0000"
                + "00000000" + "00000000" + "00000000" + "00000000"
                + "0218aa000007" + "00".repeat(10) + "00".repeat(64) + "00".repeat(128) + "63825363";
        String options = "350101" + "3204c6120078" + "0c03766d37"
                + "370d011c02030f06770c2c2f1a792a" + "ff";
        return padTo300(header + options);
    }

    /**
     * A SELECTING REQUEST as busybox udhcpc 1.35 sends it: client-id 01+MAC, 50, 54, 57=576, 55.
     */
    public static byte[] udhcpcRequest(Ipv4Address requested, Ipv4Address server) {
        String header = "01" + "01" + "06" + "00" + "12345678" + "0003" + "0000"
                + "00000000" + "00000000" + "00000000" + "00000000"
                + "0218aa000007" + "00".repeat(10) + "00".repeat(64) + "00".repeat(128) + "63825363";
        String options = "350103" + "3d07010218aa000007" + "3204" + hex(requested) + "3604" + hex(server)
                + "39020240" + "3707010306 0c0f1c2a".replace(" ", "") + "ff";
        return padTo300(header + options);
    }

    static String hex(Ipv4Address a) {
        return HexFormat.of().formatHex(a.toBytes());
    }

    static byte[] padTo300(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        byte[] out = new byte[Math.max(300, b.length)];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }
}
