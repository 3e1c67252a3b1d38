package dev.vmaddr.bench;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;

import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.codec.Dhcp6Message;
import dev.vmaddr.dhcp6.codec.Dhcp6Option;
import dev.vmaddr.dhcp6.codec.MalformedDhcp6Exception;
import dev.vmaddr.dhcp6.protocol.Dhcp6Events;
import dev.vmaddr.dhcp6.protocol.Dhcp6Protocol;
import dev.vmaddr.dhcp6.server.EngineLease6Operations;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.ra.ServedNetworks;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.memory.MemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One DHCPv6 SOLICIT-ADVERTISE-REQUEST-REPLY exchange per op, as the server does it minus the socket:
 * SOLICIT bytes → {@link Dhcp6Protocol#handle} (decode, offer, encode) → ADVERTISE bytes, then the
 * REQUEST built from the ADVERTISE's server id and address → REPLY bytes, over the real
 * {@link Ipv6Leases}. Every op is a client never seen before (a new DUID-LL, as perfdhcp -6 sends),
 * on a pool of 65,536 addresses; after the REPLY the binding is released through Ipv6Leases (not
 * the protocol) so the pool's fill stays constant.
 *
 * <ul>
 *   <li>{@code store=memory}: the non-durable memory store: protocol + codec + leases only.</li>
 *   <li>{@code store=embedded}: the embedded store on a temporary directory, each message handled in
 *   a {@link DeferredDurability} scope as the server's receiver does (the REPLY's write is applied,
 *   encoded and appended, its fsync done by the store's committer thread, whose CPU is not in the
 *   figure; its allocations are, in {@code -prof gc}).</li>
 * </ul>
 *
 * <pre>java -jar bench/target/benchmarks.jar Dhcp6ProtocolBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class Dhcp6ProtocolBenchmark {
    private static final Duid SERVER = Duid.parse("00:03:00:01:02:00:00:00:00:fe");
    private static final NetworkSpec NET = NetworkSpec.builder("bench", Ipv4Prefix.parse("198.18.0.0/15"))
            .ipv6Prefix(Ipv6Prefix.parse("2001:db8:1::/64")).ipv6Mode(Ipv6Mode.STATEFUL)
            .ipv6Pools(List.of(Ipv6Range.parse("2001:db8:1::1:0-2001:db8:1::1:ffff")))
            .leaseTime(Duration.ofHours(2)).build();
    /** Where the client's DUID-LL MAC sits in the SOLICIT/REQUEST templates: after type+xid, option header, DUID type and hw type. */
    private static final int MAC_OFFSET = 4 + 4 + 4;

    @Param({"memory", "embedded"})
    public String store;

    private Path dir;
    private EmbeddedStore embedded;
    private Ipv6Leases leases;
    private Dhcp6Protocol protocol;
    private byte[] solicit;
    private long next = 0x0a_00_00_00_00_00L;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Clock clock = Clock.fixed(Instant.parse("2026-12-06T20:00:00Z"), ZoneOffset.UTC);
        DocumentStore documents;
        if (store.equals("embedded")) {
            Path base = Path.of(System.getProperty("vmaddr.bench.dir", System.getProperty("java.io.tmpdir")));
            dir = Files.createTempDirectory(base, "vmaddr-dhcp6");
            embedded = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults());
            documents = embedded.documents();
        } else {
            documents = new MemoryStore().documents();
        }
        leases = new Ipv6Leases(documents, clock, new SplittableRandom(42));
        protocol = new Dhcp6Protocol(new EngineLease6Operations(leases, new ServedNetworks(() -> List.of(NET))), SERVER,
                Dhcp6Events.NONE);
        solicit = Dhcp6Codec.encode(Dhcp6Message.of(SOLICIT, 0x5eed, List.of(
                new Dhcp6Option(OPTION_CLIENTID, duid(next).toBytes()),
                new Dhcp6Option(OPTION_ELAPSED_TIME, new byte[2]),
                new Dhcp6Option(OPTION_ORO, new byte[] {0, 23, 0, 24}),
                Dhcp6Codec.iaNaOption(new Dhcp6Codec.IaNa(1, 0, 0, List.of())))));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (embedded != null) {
            embedded.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Duid duid(long mac) {
        byte[] d = new byte[10];
        d[1] = 3; // DUID-LL
        d[3] = 1; // Ethernet
        for (int i = 0; i < 6; i++) {
            d[4 + i] = (byte) (mac >>> (40 - 8 * i));
        }
        return Duid.of(d, 0, d.length);
    }

    private static void putMac(byte[] packet, long mac) {
        for (int i = 0; i < 6; i++) {
            packet[MAC_OFFSET + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    private byte[] serve(byte[] packet) {
        if (embedded == null) {
            return protocol.handle(packet, NET).orElseThrow().payload();
        }
        DeferredDurability durability = new DeferredDurability();
        byte[] answer = durability.run(() -> protocol.handle(packet, NET)).orElseThrow().payload();
        durability.whenDurable(durable -> { });
        return answer;
    }

    @Benchmark
    public Ipv6Address exchange() throws MalformedDhcp6Exception {
        long mac = next++ & 0xFFFF_FFFF_FFFFL;
        putMac(solicit, mac);
        Dhcp6Message advertise = Dhcp6Codec.decode(serve(solicit));
        if (advertise.type() != ADVERTISE) {
            throw new IllegalStateException("expected ADVERTISE, got " + advertise.type());
        }
        // The client's REQUEST: its id, the server id and the IA_NA of the ADVERTISE (client work, built per op).
        byte[] request = Dhcp6Codec.encode(Dhcp6Message.of(REQUEST, 0x5eee, List.of(
                new Dhcp6Option(OPTION_CLIENTID, java.util.Arrays.copyOfRange(solicit, 8, 18)),
                advertise.option(OPTION_SERVERID),
                new Dhcp6Option(OPTION_ELAPSED_TIME, new byte[2]),
                advertise.option(OPTION_IA_NA))));
        Dhcp6Message reply = Dhcp6Codec.decode(serve(request));
        Dhcp6Codec.IaNa ia = Dhcp6Codec.iaNa(reply.option(OPTION_IA_NA));
        Ipv6Address ip = Ipv6Address.fromBytes(Dhcp6Codec.iaAddress(ia.options().getFirst()).address());
        if (reply.type() != REPLY) {
            throw new IllegalStateException("expected REPLY, got " + reply.type());
        }
        if (embedded == null) {
            leases.release(NET.name(), duid(mac), 1, ip).orElseThrow();
        } else {
            new DeferredDurability().run(() -> leases.release(NET.name(), duid(mac), 1, ip).orElseThrow());
        }
        return ip;
    }
}
