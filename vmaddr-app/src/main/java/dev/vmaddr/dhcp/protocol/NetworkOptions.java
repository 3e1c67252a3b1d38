package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.ClasslessRoute;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOption;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.dhcp.codec.OptionCodes;
import dev.vmaddr.model.NetworkSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.UnaryOperator;

/**
 * A network's reply options, encoded once: every OFFER and ACK of a network carries the same lease
 * times, mask, routers, DNS servers, domain, MTU and broadcast address, and building them per reply
 * (an option, its value and its bytes each) was a sixth of the bytes a DORA allocated. Values
 * absent from the network are null. Immutable.
 */
record NetworkOptions(NetworkSpec net, DhcpOption leaseTime, DhcpOption renewalTime, DhcpOption rebindingTime,
                      DhcpOption subnetMask, DhcpOption routers, DhcpOption dnsServers, DhcpOption domainName,
                      DhcpOption mtu, DhcpOption broadcastAddress, DhcpOption classlessRoutes) {

    private static final DhcpOption[] MESSAGE_TYPES = new DhcpOption[DhcpMessageType.values().length];

    static {
        for (DhcpMessageType t : DhcpMessageType.values()) {
            MESSAGE_TYPES[t.ordinal()] = one(OptionCodes.MESSAGE_TYPE, o -> o.messageType(t));
        }
    }

    /**
     * The options of recently used networks and of recent server addresses, for one protocol
     * instance (its threads share it). Per instance rather than per process: a fresh server starts
     * with it empty, and the warm-up's second stack (serve/DhcpWarmup) starts with an empty one too,
     * so the JIT has seen the miss before a real server's first reply (a process-wide cache, filled
     * by the warm-up, made the real first reply trap at the miss and recompile the reply path).
     *
     * <p>Both tables are direct-mapped: a hit is a read and a compare (a network spec's own hashCode
     * walks its reservations; an address has a few interface addresses per host). Entries are
     * immutable and replaced whole, so any thread may read and write; a changed network is a new
     * spec, which simply misses. Empty slots hold an entry that matches nothing rather than null: a
     * null there is a speculation the JIT makes per compiled caller (a trap in one caller does not stop
     * another from making it), a miss is an ordinary branch whose profile every caller shares.
     */
    static final class Cache {
        private static final NetworkOptions NO_NETWORK = new NetworkOptions(null, null, null, null, null, null, null,
                null, null, null, null);
        private static final ServerId NO_SERVER_ID = new ServerId(null, null);

        private final AtomicReferenceArray<NetworkOptions> networks = filled(64, NO_NETWORK);
        private final AtomicReferenceArray<ServerId> serverIds = filled(16, NO_SERVER_ID);

        /** The options of {@code net}, looked up by identity. */
        NetworkOptions of(NetworkSpec net) {
            int slot = System.identityHashCode(net) & (networks.length() - 1);
            NetworkOptions cached = networks.getPlain(slot);
            if (cached.net == net) {
                return cached;
            }
            NetworkOptions built = build(net);
            networks.setRelease(slot, built);
            return built;
        }

        /** Option 54 for {@code address}. */
        DhcpOption serverId(Ipv4Address address) {
            int slot = Integer.hashCode(address.value() * 0x9E3779B9) >>> 28;
            ServerId cached = serverIds.getPlain(slot);
            if (address.equals(cached.address)) {
                return cached.option;
            }
            ServerId built = new ServerId(address, one(OptionCodes.SERVER_ID, o -> o.serverId(address)));
            serverIds.setRelease(slot, built);
            return built.option;
        }

        private static <T> AtomicReferenceArray<T> filled(int length, T empty) {
            AtomicReferenceArray<T> a = new AtomicReferenceArray<>(length);
            for (int i = 0; i < length; i++) {
                a.setPlain(i, empty);
            }
            return a;
        }
    }

    private record ServerId(Ipv4Address address, DhcpOption option) { }

    static DhcpOption messageType(DhcpMessageType type) {
        return MESSAGE_TYPES[type.ordinal()];
    }

    private static NetworkOptions build(NetworkSpec net) {
        Ipv4Address gateway = net.gateway();
        return new NetworkOptions(net,
                one(OptionCodes.LEASE_TIME, o -> o.leaseTime(net.leaseTime())),
                one(OptionCodes.RENEWAL_TIME, o -> o.renewalTime(net.effectiveRenewTime())),
                one(OptionCodes.REBINDING_TIME, o -> o.rebindingTime(net.effectiveRebindTime())),
                one(OptionCodes.SUBNET_MASK, o -> o.subnetMask(net.cidr().netmask())),
                gateway == null ? null : one(OptionCodes.ROUTERS, o -> o.routers(List.of(gateway))),
                net.dns().isEmpty() ? null : one(OptionCodes.DNS_SERVERS, o -> o.dnsServers(net.dns())),
                net.domain() == null || net.domain().isEmpty() ? null
                        : one(OptionCodes.DOMAIN_NAME, o -> o.domainName(net.domain())),
                net.mtu() == null || net.mtu() < 68 || net.mtu() > 0xFFFF ? null
                        : one(OptionCodes.INTERFACE_MTU, o -> o.mtu(net.mtu())),
                one(OptionCodes.BROADCAST_ADDRESS, o -> o.broadcastAddress(net.cidr().broadcast())),
                gateway == null ? null : one(OptionCodes.CLASSLESS_ROUTES,
                        o -> o.classlessRoutes(List.of(ClasslessRoute.defaultVia(gateway)))));
    }

    private static DhcpOption one(int code, UnaryOperator<DhcpOptions.Builder> set) {
        return set.apply(DhcpOptions.builder()).build().get(code).orElseThrow();
    }
}
