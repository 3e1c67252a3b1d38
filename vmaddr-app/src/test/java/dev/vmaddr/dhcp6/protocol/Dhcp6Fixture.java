package dev.vmaddr.dhcp6.protocol;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.codec.Dhcp6Message;
import dev.vmaddr.dhcp6.codec.Dhcp6Option;
import dev.vmaddr.dhcp6.server.EngineLease6Operations;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.ra.ServedNetworks;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The DHCPv6 protocol over the real {@link Ipv6Leases} on a memory store, two networks (stateful
 * {@code lan0}, slaac {@code lan1}) and message builders for tests.
 */
public final class Dhcp6Fixture {
    public static final Duid SERVER = Duid.parse("00:03:00:01:02:00:00:00:00:fe");
    public static final NetworkSpec LAN0 = NetworkSpec.builder("lan0", Ipv4Prefix.parse("198.18.0.0/24"))
            .gateway(Ipv4Address.parse("198.18.0.1")).ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:1::/64"))
            .ipv6Mode(Ipv6Mode.STATEFUL).ipv6Pools(List.of(Ipv6Range.parse("2001:db8:0:1::100-2001:db8:0:1::10f")))
            .ipv6Dns(List.of(Ipv6Address.parse("2001:db8::53"))).leaseTime(Duration.ofSeconds(600))
            .ipv6Reservations(List.of(new Ipv6Reservation(null, Duid.parse("00:03:00:01:02:00:00:00:00:50"),
                    Ipv6Address.parse("2001:db8:0:1::50"), null))).build();
    public static final NetworkSpec LAN1 = NetworkSpec.builder("lan1", Ipv4Prefix.parse("198.18.1.0/24"))
            .ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:2::/64")).build();

    public final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T20:00:00Z"));
    public final MemoryStore store = new MemoryStore();
    public final Ipv6Leases leases;
    public final Dhcp6Protocol protocol;
    public final Lease6Operations ops;

    public Dhcp6Fixture(SplittableRandom random) {
        leases = new Ipv6Leases(store.documents(), clock, random);
        // the server's own adapter, over the two networks the way Ipv6Service serves them
        ops = new EngineLease6Operations(leases, new ServedNetworks(() -> List.of(LAN0, LAN1)));
        protocol = new Dhcp6Protocol(ops, SERVER, Dhcp6Events.NONE);
    }

    public static Duid clientDuid(int n) {
        return Duid.parse(String.format("00:03:00:01:02:18:00:00:00:%02x", n));
    }

    /** A client message with client id {@code duid}, our server id when {@code withServerId}, and {@code extra}. */
    public static byte[] message(int type, Duid duid, boolean withServerId, Dhcp6Option... extra) {
        List<Dhcp6Option> o = new ArrayList<>();
        if (duid != null) {
            o.add(new Dhcp6Option(OPTION_CLIENTID, duid.toBytes()));
        }
        if (withServerId) {
            o.add(new Dhcp6Option(OPTION_SERVERID, SERVER.toBytes()));
        }
        o.add(new Dhcp6Option(OPTION_ELAPSED_TIME, new byte[2]));
        o.addAll(List.of(extra));
        return Dhcp6Codec.encode(Dhcp6Message.of(type, 0x123456, o));
    }

    /** An IA_NA with IAID {@code iaid} and the given addresses in it. */
    public static Dhcp6Option iaNa(long iaid, String... addresses) {
        List<Dhcp6Option> inner = new ArrayList<>();
        for (String a : addresses) {
            inner.add(Dhcp6Codec.iaAddressOption(new Dhcp6Codec.IaAddress(bytes(a), 0, 0, List.of())));
        }
        return Dhcp6Codec.iaNaOption(new Dhcp6Codec.IaNa(iaid, 0, 0, inner));
    }

    public static Dhcp6Option rapidCommit() {
        return new Dhcp6Option(OPTION_RAPID_COMMIT, new byte[0]);
    }

    /** RELAY-FORW from a relay on link {@code link} around {@code inner}, with an interface-id. */
    public static byte[] relayForw(String link, byte[] inner, byte[] interfaceId) {
        return Dhcp6Codec.encode(Dhcp6Message.relay(RELAY_FORW, 0, bytes(link), bytes("fe80::1"),
                List.of(new Dhcp6Option(OPTION_INTERFACE_ID, interfaceId), new Dhcp6Option(OPTION_RELAY_MSG, inner))));
    }

    public static byte[] bytes(String ipv6) {
        Ipv6Address a = Ipv6Address.parse(ipv6);
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (a.high() >>> (56 - 8 * i));
            b[i + 8] = (byte) (a.low() >>> (56 - 8 * i));
        }
        return b;
    }

    /** The addresses (with valid lifetime) in every IA_NA of {@code m}. */
    public static List<String> addresses(Dhcp6Message m) throws Exception {
        List<String> out = new ArrayList<>();
        for (Dhcp6Option o : m.all(OPTION_IA_NA)) {
            for (Dhcp6Option a : Dhcp6Codec.iaNa(o).options()) {
                if (a.code() == OPTION_IAADDR) {
                    Dhcp6Codec.IaAddress ia = Dhcp6Codec.iaAddress(a);
                    out.add(Ipv6Address.fromBytes(ia.address()) + "/" + ia.valid());
                }
            }
        }
        return out;
    }
}
