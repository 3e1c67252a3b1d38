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
     * Recently used networks by identity, direct-mapped: a hit is a read and a compare (a network
     * spec's own hashCode walks its reservations). Entries are immutable and replaced whole, so any
     * thread may read and write; a changed network is a new spec, which simply misses.
     */
    private static final AtomicReferenceArray<NetworkOptions> CACHE = new AtomicReferenceArray<>(64);

    static NetworkOptions of(NetworkSpec net) {
        int slot = System.identityHashCode(net) & (CACHE.length() - 1);
        NetworkOptions cached = CACHE.getPlain(slot);
        if (cached != null && cached.net == net) {
            return cached;
        }
        NetworkOptions built = build(net);
        CACHE.setRelease(slot, built);
        return built;
    }

    /** Option 54 per server address, direct-mapped like {@link #CACHE} (a host has a few interface addresses). */
    private record ServerId(Ipv4Address address, DhcpOption option) { }

    private static final AtomicReferenceArray<ServerId> SERVER_IDS = new AtomicReferenceArray<>(16);

    static DhcpOption serverId(Ipv4Address address) {
        int slot = Integer.hashCode(address.value() * 0x9E3779B9) >>> 28;
        ServerId cached = SERVER_IDS.getPlain(slot);
        if (cached != null && cached.address.equals(address)) {
            return cached.option;
        }
        ServerId built = new ServerId(address, one(OptionCodes.SERVER_ID, o -> o.serverId(address)));
        SERVER_IDS.setRelease(slot, built);
        return built.option;
    }

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
