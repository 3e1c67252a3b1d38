package dev.vmaddr.dhcp6.codec;

import java.util.Arrays;
import java.util.HexFormat;

/** One DHCPv6 option: its code and its data (not copied; callers must not change it). */
public record Dhcp6Option(int code, byte[] data) {
    public Dhcp6Option {
        if (code < 0 || code > 0xFFFF || data.length > 0xFFFF) {
            throw new IllegalArgumentException("option " + code + " of " + data.length + " bytes does not fit");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dhcp6Option d && d.code == code && Arrays.equals(d.data, data);
    }

    @Override
    public int hashCode() {
        return code * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Dhcp6Option[" + code + "=" + HexFormat.of().formatHex(data) + "]";
    }
}
