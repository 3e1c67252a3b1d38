package dev.vmaddr.dhcp.codec;

import static dev.vmaddr.dhcp.codec.OptionCodes.*;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The options of one message, in wire order, at most one entry per code (repeats are concatenated
 * per RFC 3396 before they get here). Immutable. Typed accessors cover the options this server uses;
 * their values were length-checked on the way in ({@link OptionRules}) so they never throw.
 */
public final class DhcpOptions {
    public static final DhcpOptions EMPTY = new DhcpOptions(new DhcpOption[0]);

    // Found by a linear scan: a message carries a handful of options, and an index by code (a
    // 256-byte table per message, four messages per DORA) was a large share of the server's garbage.
    private final DhcpOption[] options;

    private DhcpOptions(DhcpOption[] options) {
        this.options = options;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Package-internal: the decoder has already checked every value and that codes are distinct. */
    static DhcpOptions ofChecked(DhcpOption[] options) {
        return options.length == 0 ? EMPTY : new DhcpOptions(options);
    }

    /** Package-internal: the options themselves, for the encoder to read without a list view; never modified. */
    DhcpOption[] array() {
        return options;
    }

    public List<DhcpOption> asList() {
        return Collections.unmodifiableList(Arrays.asList(options));
    }

    public int size() {
        return options.length;
    }

    public boolean contains(int code) {
        return find(code) != null;
    }

    /** The option with {@code code}, or null: for the per-packet path, without an Optional. */
    public DhcpOption getOrNull(int code) {
        return find(code);
    }

    public Optional<DhcpOption> get(int code) {
        return Optional.ofNullable(find(code));
    }

    public Optional<Octets> raw(int code) {
        DhcpOption o = find(code);
        return o == null ? Optional.empty() : Optional.of(o.data());
    }

    DhcpOption find(int code) {
        for (DhcpOption o : options) {
            if (o.code() == code) {
                return o;
            }
        }
        return null;
    }

    // ---- typed accessors -------------------------------------------------------------------

    /** Option 53 as an enum; empty when absent or a type this server does not handle. */
    public Optional<DhcpMessageType> messageType() {
        DhcpOption o = find(MESSAGE_TYPE);
        return o == null ? Optional.empty() : Optional.ofNullable(DhcpMessageType.ofCode(o.data().get(0)));
    }

    public Optional<Ipv4Address> requestedIp() {
        return address(REQUESTED_IP);
    }

    public Optional<Ipv4Address> serverId() {
        return address(SERVER_ID);
    }

    public Optional<Ipv4Address> subnetMask() {
        return address(SUBNET_MASK);
    }

    public Optional<Ipv4Address> broadcastAddress() {
        return address(BROADCAST_ADDRESS);
    }

    public Optional<Duration> leaseTime() {
        return seconds(LEASE_TIME);
    }

    public Optional<Duration> renewalTime() {
        return seconds(RENEWAL_TIME);
    }

    public Optional<Duration> rebindingTime() {
        return seconds(REBINDING_TIME);
    }

    public List<Ipv4Address> routers() {
        return addresses(ROUTERS);
    }

    public List<Ipv4Address> dnsServers() {
        return addresses(DNS_SERVERS);
    }

    public Optional<String> hostname() {
        return text(HOSTNAME);
    }

    public Optional<String> domainName() {
        return text(DOMAIN_NAME);
    }

    public OptionalInt mtu() {
        return uint16(INTERFACE_MTU);
    }

    public OptionalInt maxMessageSize() {
        return uint16(MAX_MESSAGE_SIZE);
    }

    /** Option 52: 1 = file holds options, 2 = sname, 3 = both. */
    public OptionalInt overload() {
        DhcpOption o = find(OVERLOAD);
        return o == null ? OptionalInt.empty() : OptionalInt.of(o.data().get(0));
    }

    /** Option 55 codes in the client's order; empty when absent. */
    public Octets parameterRequestList() {
        DhcpOption o = find(PARAMETER_REQUEST_LIST);
        return o == null ? Octets.EMPTY : o.data();
    }

    /** Whether option 55 is present and names {@code code}. */
    public boolean requests(int code) {
        Octets prl = parameterRequestList();
        for (int i = 0; i < prl.length(); i++) {
            if (prl.get(i) == code) {
                return true;
            }
        }
        return false;
    }

    /** Option 61, type byte included. */
    public Optional<Octets> clientId() {
        return raw(CLIENT_ID);
    }

    /** Option 82 as sent by the relay; echoed unchanged, never interpreted. */
    public Optional<Octets> relayAgentInfo() {
        return raw(RELAY_AGENT_INFO);
    }

    public List<ClasslessRoute> classlessRoutes() {
        DhcpOption o = find(CLASSLESS_ROUTES);
        return o == null ? List.of() : ClasslessRoutes.decode(o.data());
    }

    private Optional<Ipv4Address> address(int code) {
        DhcpOption o = find(code);
        return o == null ? Optional.empty() : Optional.of(ipAt(o.data(), 0));
    }

    private Optional<Duration> seconds(int code) {
        DhcpOption o = find(code);
        return o == null ? Optional.empty() : Optional.of(Duration.ofSeconds(Integer.toUnsignedLong(ipAt(o.data(), 0).value())));
    }

    private List<Ipv4Address> addresses(int code) {
        DhcpOption o = find(code);
        if (o == null) {
            return List.of();
        }
        List<Ipv4Address> out = new ArrayList<>(o.data().length() / 4);
        for (int i = 0; i < o.data().length(); i += 4) {
            out.add(ipAt(o.data(), i));
        }
        return List.copyOf(out);
    }

    private Optional<String> text(int code) {
        DhcpOption o = find(code);
        return o == null || o.data().isEmpty() ? Optional.empty() : Optional.of(o.data().asText());
    }

    private OptionalInt uint16(int code) {
        DhcpOption o = find(code);
        return o == null ? OptionalInt.empty() : OptionalInt.of(o.data().get(0) << 8 | o.data().get(1));
    }

    static Ipv4Address ipAt(Octets d, int i) {
        return new Ipv4Address(d.get(i) << 24 | d.get(i + 1) << 16 | d.get(i + 2) << 8 | d.get(i + 3));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpOptions other && Arrays.equals(options, other.options);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(options);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (DhcpOption o : options) {
            sb.append(sb.length() > 1 ? ", " : "").append(o.code()).append('=').append(o.data().toHex());
        }
        return sb.append(']').toString();
    }

    /** Builds options in insertion order; setting a code again replaces its value in place. */
    public static final class Builder {
        private final List<DhcpOption> options = new ArrayList<>(16);

        private Builder() {
        }

        public Builder raw(int code, Octets data) {
            return option(new DhcpOption(code, data));
        }

        /**
         * Adds (or replaces) a whole option; the server's replies add options it built once per
         * network (they are immutable), which costs nothing per reply.
         */
        public Builder option(DhcpOption option) {
            int code = option.code();
            String problem = OptionRules.check(code, option.data());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            for (int i = 0; i < options.size(); i++) {
                if (options.get(i).code() == code) {
                    options.set(i, option);
                    return this;
                }
            }
            options.add(option);
            return this;
        }

        public Builder remove(int code) {
            options.removeIf(o -> o.code() == code);
            return this;
        }

        public Builder messageType(DhcpMessageType type) {
            return raw(MESSAGE_TYPE, Octets.of((byte) type.code()));
        }

        public Builder requestedIp(Ipv4Address ip) {
            return raw(REQUESTED_IP, Octets.of(ip.toBytes()));
        }

        public Builder serverId(Ipv4Address ip) {
            return raw(SERVER_ID, Octets.of(ip.toBytes()));
        }

        public Builder subnetMask(Ipv4Address mask) {
            return raw(SUBNET_MASK, Octets.of(mask.toBytes()));
        }

        public Builder broadcastAddress(Ipv4Address ip) {
            return raw(BROADCAST_ADDRESS, Octets.of(ip.toBytes()));
        }

        public Builder leaseTime(Duration d) {
            return seconds(LEASE_TIME, d);
        }

        public Builder renewalTime(Duration d) {
            return seconds(RENEWAL_TIME, d);
        }

        public Builder rebindingTime(Duration d) {
            return seconds(REBINDING_TIME, d);
        }

        public Builder routers(List<Ipv4Address> ips) {
            return addresses(ROUTERS, ips);
        }

        public Builder dnsServers(List<Ipv4Address> ips) {
            return addresses(DNS_SERVERS, ips);
        }

        public Builder hostname(String name) {
            return raw(HOSTNAME, Octets.ofAscii(name));
        }

        public Builder domainName(String name) {
            return raw(DOMAIN_NAME, Octets.ofAscii(name));
        }

        public Builder mtu(int mtu) {
            return uint16(INTERFACE_MTU, mtu);
        }

        public Builder maxMessageSize(int size) {
            return uint16(MAX_MESSAGE_SIZE, size);
        }

        public Builder parameterRequestList(int... codes) {
            byte[] b = new byte[codes.length];
            for (int i = 0; i < codes.length; i++) {
                b[i] = (byte) codes[i];
            }
            return raw(PARAMETER_REQUEST_LIST, Octets.wrap(b));
        }

        public Builder clientId(Octets id) {
            return raw(CLIENT_ID, id);
        }

        public Builder relayAgentInfo(Octets info) {
            return raw(RELAY_AGENT_INFO, info);
        }

        public Builder message(String text) {
            return raw(MESSAGE, Octets.ofAscii(text));
        }

        public Builder classlessRoutes(List<ClasslessRoute> routes) {
            return raw(CLASSLESS_ROUTES, ClasslessRoutes.encode(routes));
        }

        private Builder seconds(int code, Duration d) {
            long s = Math.clamp(d.getSeconds(), 0, 0xFFFF_FFFFL);
            return raw(code, Octets.of(new Ipv4Address((int) s).toBytes()));
        }

        private Builder addresses(int code, List<Ipv4Address> ips) {
            byte[] b = new byte[ips.size() * 4];
            for (int i = 0; i < ips.size(); i++) {
                ips.get(i).writeTo(b, i * 4);
            }
            return raw(code, Octets.wrap(b));
        }

        private Builder uint16(int code, int v) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("option " + code + " value " + v + " is not 0-65535");
            }
            return raw(code, Octets.of((byte) (v >>> 8), (byte) v));
        }

        public DhcpOptions build() {
            return options.isEmpty() ? EMPTY : new DhcpOptions(options.toArray(DhcpOption[]::new));
        }
    }

    /** RFC 3442 encoding: width, significant octets of the destination, router. */
    static final class ClasslessRoutes {
        private ClasslessRoutes() {
        }

        static Octets encode(List<ClasslessRoute> routes) {
            int n = 0;
            for (ClasslessRoute r : routes) {
                n += r.encodedLength();
            }
            byte[] b = new byte[n];
            int i = 0;
            for (ClasslessRoute r : routes) {
                b[i++] = (byte) r.destination().length();
                byte[] dest = r.destination().network().toBytes();
                System.arraycopy(dest, 0, b, i, r.significantOctets());
                i += r.significantOctets();
                r.router().writeTo(b, i);
                i += 4;
            }
            return Octets.wrap(b);
        }

        /** Assumes {@link OptionRules} accepted {@code d}. */
        static List<ClasslessRoute> decode(Octets d) {
            List<ClasslessRoute> out = new ArrayList<>();
            int i = 0;
            while (i < d.length()) {
                int width = d.get(i++);
                int significant = (width + 7) / 8;
                int network = 0;
                for (int k = 0; k < significant; k++) {
                    network |= d.get(i++) << (24 - 8 * k);
                }
                out.add(new ClasslessRoute(new Ipv4Prefix(new Ipv4Address(network), width), ipAt(d, i)));
                i += 4;
            }
            return List.copyOf(out);
        }
    }
}
