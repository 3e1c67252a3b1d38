package dev.vmaddr.dhcp6.server;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.codec.Dhcp6Message;
import dev.vmaddr.dhcp6.codec.Dhcp6Option;
import dev.vmaddr.dhcp6.protocol.Dhcp6Events;
import dev.vmaddr.dhcp6.protocol.Dhcp6Protocol;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.ra.ServedNetworks;
import dev.vmaddr.store.postgresql.PostgresStore;
import dev.vmaddr.testing.MutableClock;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two DHCPv6 servers (each its own PostgresStore, lease book and protocol, as two {@code vmaddr
 * serve} have) on one real PostgreSQL, 64 clients at once for a pool of 48 addresses over the
 * in-memory path (message bytes in, answer bytes out). Each client solicits both servers, as on a
 * shared link, and requests from the one it picks. Neither server knows the other's bindings until the
 * database refuses it: no address is ever acknowledged to two clients, the database holds exactly
 * the acknowledged bindings, and once the servers have read each other's writes (their reclaim
 * round) every pool address is handed out. Then expiry through one server expires the other's
 * bindings too, and a renewal through the other is not undone by it.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TwoServersPostgresDhcp6Test {
    private static final int POOL = 48;
    private static final int CLIENTS = 64;
    /** Longer than the second phase's clock moves (a hold's lapse per client): no binding runs out before the expiry step. */
    private static final Duration LEASE = Duration.ofHours(1);
    private static final NetworkSpec NET = NetworkSpec.builder("lan6", Ipv4Prefix.parse("198.18.0.0/24"))
            .ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:1::/64")).ipv6Mode(Ipv6Mode.STATEFUL).leaseTime(LEASE)
            .ipv6Pools(List.of(Ipv6Range.parse("2001:db8:0:1::100-2001:db8:0:1::12f"))).build();

    private record Node(PostgresStore store, Ipv6Leases leases, Dhcp6Protocol protocol, Duid duid) {}

    private static Node node(PostgresDatabase db, MutableClock clock, int n) {
        PostgresStore store = PostgresStore.open(db.url(), db.user(), db.password(), clock, PostgresStore.Options.defaults());
        Ipv6Leases leases = new Ipv6Leases(store.leases6(), clock, new SplittableRandom(n));
        leases.load();
        Duid duid = Duid.parse("00:03:00:01:02:00:00:00:00:" + String.format("%02x", n));
        Dhcp6Protocol protocol = new Dhcp6Protocol(new EngineLease6Operations(leases, new ServedNetworks(() -> List.of(NET))),
                duid, Dhcp6Events.NONE);
        return new Node(store, leases, protocol, duid);
    }

    private static Duid client(int i) {
        return Duid.parse(String.format("00:03:00:01:02:18:00:00:%02x:%02x", i >> 8, i & 0xff));
    }

    @Test
    void noAddressTwiceAcrossTwoServersAndTheWholePoolServedOnceTheyHaveReadEachOther(PostgresDatabase db) throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        Node a = node(db, clock, 1);
        Node b = node(db, clock, 2);
        List<Node> nodes = List.of(a, b);
        try {
            Map<Ipv6Address, Integer> acknowledged = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> twice = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int c = i;
                done.add(pool.submit(() -> {
                    go.await();
                    obtain(nodes, c, acknowledged, twice);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(twice).as("addresses acknowledged to two clients").isEmpty();
            int first = acknowledged.size();
            assertThat(first).isBetween(1, POOL);

            // Each SOLICIT made both servers hold an address for the client (Ipv6Leases.OFFER_HOLD), the
            // one it did not pick included. Once those holds have lapsed and the reclaim round has read
            // the other server's writes, every client still without an address gets one (clients
            // coming one after another, a round between them) until the pool is exactly full.
            for (int c = 0; c < CLIENTS; c++) {
                if (!acknowledged.containsValue(c)) {
                    clock.advance(Ipv6Leases.OFFER_HOLD.plusSeconds(1));
                    a.leases().reclaimExpired();
                    b.leases().reclaimExpired();
                    obtain(nodes, c, acknowledged, twice);
                }
            }
            assertThat(twice).isEmpty();
            assertThat(acknowledged).hasSize(POOL);
            Map<Ipv6Address, String> rows = boundRows(db);
            assertThat(rows).hasSize(POOL);
            acknowledged.forEach((ip, c) -> assertThat(rows.get(ip)).as(ip.toString()).isEqualTo(client(c).toString()));
            // Each server lists every binding, its own and the other's.
            for (Node n : nodes) {
                n.leases().reclaimExpired();
                assertThat(n.leases().leases("lan6")).filteredOn(l -> l.state() == LeaseState.BOUND).hasSize(POOL);
                assertThat(n.leases().freeAddresses(NET)).isZero();
            }

            // Expiry: one client renews through b; a's round then expires everything else, b's renewal stays.
            Ipv6Address renewedIp = acknowledged.keySet().iterator().next();
            int renewer = acknowledged.get(renewedIp);
            clock.advance(LEASE.plusSeconds(1)); // past every binding's end
            Optional<Lease6> renewed = b.leases().bind(NET, client(renewer), 1, null, renewedIp, null);
            assertThat(renewed).map(Lease6::ip).contains(renewedIp);
            assertThat(a.leases().reclaimExpired()).isEqualTo(POOL - 1);
            assertThat(boundRows(db)).containsOnlyKeys(renewedIp);
            b.leases().reclaimExpired();
            assertThat(b.leases().freeAddresses(NET)).isEqualTo(POOL - 1);
            assertThat(a.leases().lease("lan6", renewedIp).orElseThrow().state()).isEqualTo(LeaseState.BOUND);
        } finally {
            a.store().close();
            b.store().close();
        }
    }

    /** SOLICIT to both servers, REQUEST (with the chosen server's id) to both: only that one binds. */
    private static void obtain(List<Node> nodes, int c, Map<Ipv6Address, Integer> acknowledged, ConcurrentLinkedQueue<String> twice)
            throws Exception {
        Duid duid = client(c);
        List<Node> advertised = new ArrayList<>();
        Map<Node, String> offered = new HashMap<>();
        for (Node n : nodes) {
            Dhcp6Message adv = ask(n, Dhcp6Message.of(SOLICIT, c, List.of(clientId(duid), ia(List.of()))));
            addresses(adv).stream().findFirst().ifPresent(ip -> {
                advertised.add(n);
                offered.put(n, ip);
            });
        }
        if (advertised.isEmpty()) {
            return;
        }
        Node chosen = advertised.get(c % advertised.size());
        for (Node n : nodes) {
            Dhcp6Message reply = ask(n, Dhcp6Message.of(REQUEST, c + 0x10000,
                    List.of(clientId(duid), new Dhcp6Option(OPTION_SERVERID, chosen.duid().toBytes()), ia(List.of(offered.get(chosen))))));
            if (n != chosen) {
                assertThat(reply).as("a REQUEST for the other server is not answered").isNull();
                continue;
            }
            for (String ip : addresses(reply)) {
                Integer previous = acknowledged.putIfAbsent(Ipv6Address.parse(ip), c);
                if (previous != null && previous != c) {
                    twice.add(ip + ": clients " + previous + " and " + c);
                }
            }
        }
    }

    private static Dhcp6Message ask(Node n, Dhcp6Message m) throws Exception {
        Optional<Dhcp6Protocol.Answer> a = n.protocol().handle(Dhcp6Codec.encode(m), NET);
        return a.isEmpty() ? null : Dhcp6Codec.decode(a.get().payload());
    }

    private static Dhcp6Option clientId(Duid d) {
        return new Dhcp6Option(OPTION_CLIENTID, d.toBytes());
    }

    private static Dhcp6Option ia(List<String> addresses) {
        List<Dhcp6Option> inner = new ArrayList<>();
        for (String a : addresses) {
            inner.add(Dhcp6Codec.iaAddressOption(new Dhcp6Codec.IaAddress(dev.vmaddr.dhcp6.protocol.Dhcp6Fixture.bytes(a), 0, 0, List.of())));
        }
        return Dhcp6Codec.iaNaOption(new Dhcp6Codec.IaNa(1, 0, 0, inner));
    }

    /** Addresses with a valid lifetime above zero in the answer's IA_NA (an address withdrawn has 0). */
    private static List<String> addresses(Dhcp6Message m) throws Exception {
        List<String> out = new ArrayList<>();
        if (m == null) {
            return out;
        }
        for (Dhcp6Option o : m.all(OPTION_IA_NA)) {
            for (Dhcp6Option x : Dhcp6Codec.iaNa(o).options()) {
                if (x.code() == OPTION_IAADDR && Dhcp6Codec.iaAddress(x).valid() > 0) {
                    out.add(Ipv6Address.fromBytes(Dhcp6Codec.iaAddress(x).address()).toString());
                }
            }
        }
        return out;
    }

    /** The database's bound rows: address → DUID. */
    private static Map<Ipv6Address, String> boundRows(PostgresDatabase db) throws Exception {
        Map<Ipv6Address, String> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT host(ip), duid FROM lease6 WHERE state = 'bound'")) {
            while (rs.next()) {
                out.put(Ipv6Address.parse(rs.getString(1)), rs.getString(2));
            }
        }
        return out;
    }
}
