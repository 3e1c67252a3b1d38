package dev.vmaddr.dhcp.codec;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A BOOTP/DHCP message (RFC 2131 section 2), immutable. Options found in {@code file}/{@code sname}
 * through overload (option 52) are already merged into {@link #options()}, and those fields are then
 * empty.
 *
 * @param chaddr the first {@code hlen} bytes of the 16-byte client hardware address field (at most 16);
 *               {@link #mac()} reads it as a MAC when {@code htype = 1, hlen = 6}
 * @param sname  server host name field as sent, without trailing zero padding (at most 64 bytes)
 * @param file   boot file name field as sent, without trailing zero padding (at most 128 bytes)
 */
public record DhcpMessage(int op, int htype, int hlen, int hops, int xid, int secs, int flags,
                          Ipv4Address ciaddr, Ipv4Address yiaddr, Ipv4Address siaddr, Ipv4Address giaddr,
                          Octets chaddr, Octets sname, Octets file, DhcpOptions options) {
    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    public static final int FLAG_BROADCAST = 0x8000;

    public DhcpMessage {
        requireByte("op", op);
        requireByte("htype", htype);
        requireByte("hops", hops);
        requireRange("hlen", hlen, 16);
        requireRange("secs", secs, 0xFFFF);
        requireRange("flags", flags, 0xFFFF);
        Objects.requireNonNull(ciaddr, "ciaddr");
        Objects.requireNonNull(yiaddr, "yiaddr");
        Objects.requireNonNull(siaddr, "siaddr");
        Objects.requireNonNull(giaddr, "giaddr");
        Objects.requireNonNull(chaddr, "chaddr");
        Objects.requireNonNull(options, "options");
        sname = sname == null ? Octets.EMPTY : sname;
        file = file == null ? Octets.EMPTY : file;
        if (chaddr.length() != hlen) {
            throw new IllegalArgumentException("chaddr has " + chaddr.length() + " bytes but hlen is " + hlen);
        }
        if (sname.length() > 64) {
            throw new IllegalArgumentException("sname is " + sname.length() + " bytes, at most 64");
        }
        if (file.length() > 128) {
            throw new IllegalArgumentException("file is " + file.length() + " bytes, at most 128");
        }
    }

    private static void requireByte(String field, int v) {
        requireRange(field, v, 0xFF);
    }

    private static void requireRange(String field, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(field + " " + v + " is outside 0-" + max);
        }
    }

    /** The client's MAC when chaddr is an Ethernet address, else null. */
    public MacAddress mac() {
        if (htype != HTYPE_ETHERNET || hlen != 6) {
            return null;
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | chaddr.get(i);
        }
        return new MacAddress(v);
    }

    public Optional<DhcpMessageType> messageType() {
        return options.messageType();
    }

    public boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A mutable builder for requests (tests, fuzzing) and replies (the protocol). */
    public static final class Builder {
        private int op = BOOTREQUEST;
        private int htype = HTYPE_ETHERNET;
        private int hlen = 0;
        private int hops;
        private int xid;
        private int secs;
        private int flags;
        private Ipv4Address ciaddr = Ipv4Address.ANY;
        private Ipv4Address yiaddr = Ipv4Address.ANY;
        private Ipv4Address siaddr = Ipv4Address.ANY;
        private Ipv4Address giaddr = Ipv4Address.ANY;
        private Octets chaddr = Octets.EMPTY;
        private Octets sname = Octets.EMPTY;
        private Octets file = Octets.EMPTY;
        private DhcpOptions options = DhcpOptions.EMPTY;

        private Builder() {
        }

        public Builder op(int v) { op = v; return this; }
        public Builder hops(int v) { hops = v; return this; }
        public Builder xid(int v) { xid = v; return this; }
        public Builder secs(int v) { secs = v; return this; }
        public Builder flags(int v) { flags = v; return this; }
        public Builder ciaddr(Ipv4Address v) { ciaddr = v; return this; }
        public Builder yiaddr(Ipv4Address v) { yiaddr = v; return this; }
        public Builder siaddr(Ipv4Address v) { siaddr = v; return this; }
        public Builder giaddr(Ipv4Address v) { giaddr = v; return this; }
        public Builder sname(Octets v) { sname = v; return this; }
        public Builder file(Octets v) { file = v; return this; }
        public Builder options(DhcpOptions v) { options = v; return this; }

        public Builder mac(MacAddress mac) {
            return hardware(HTYPE_ETHERNET, Octets.of(mac.toBytes()));
        }

        public Builder hardware(int htype, Octets chaddr) {
            this.htype = htype;
            this.hlen = chaddr.length();
            this.chaddr = chaddr;
            return this;
        }

        public DhcpMessage build() {
            return new DhcpMessage(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr,
                    chaddr, sname, file, options);
        }
    }
}
