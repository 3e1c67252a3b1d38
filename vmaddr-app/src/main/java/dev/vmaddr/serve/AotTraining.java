package dev.vmaddr.serve;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.dhcp.transport.InMemoryTransport;
import dev.vmaddr.dhcp6.codec.Dhcp6Codes;
import dev.vmaddr.store.embedded.EmbeddedStore;
import java.io.IOException;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the JDK AOT cache the build ships beside the jar (JEP 483/514/515: classes
 * loaded and linked, and the JIT's method profiles). The Maven build runs it in {@code package}:
 * <pre>java @vmaddr-app/src/main/jvm/serve.options -XX:AOTCacheOutput=target/vmaddr-VERSION.aot \
 *     -cp target/vmaddr-VERSION-all.jar dev.vmaddr.serve.AotTraining WORKDIR STAMPFILE</pre>
 * and {@code ./vmaddr serve} starts with that cache when its stamp matches the jar and JDK.
 *
 * <p>Why: the JIT compiles what it has seen. A server whose first traffic is new clients compiles
 * its store lookups without the "found" branch, and the first returning client deoptimizes the whole
 * request path; the recompilation costs about a second of CPU while traffic is at its peak (right
 * after a restart every VM renews at once). With the cache the server starts with the training's
 * profiles and compiles the request path with every branch it has.
 *
 * <p>What runs is the real server ({@link Server}: config file, embedded store with its group
 * commit and fsync, allocation engine, protocol, codec, the DHCP receive loop and its reply pacer),
 * with only the UDP socket replaced by the in-memory transport, and traffic like a host's: waves
 * of new clients, the same clients returning (DISCOVER again, INIT-REBOOT, rebinding), NAKs,
 * INFORMs, releases and declines, bursts, and garbage; then a restart (recovery from a snapshot and
 * the log after it, index rebuild) with every client returning at once; and the API's first
 * requests ({@link TrainingRequests}). No namespace, no root, no port 67.
 *
 * <p>Not in the cache, whatever the training does: picocli's classes (compiled for Java 5, and the
 * JDK does not store linked classes that old), so {@code vmaddr serve} still loads ~170 of them
 * from the jar to parse its command line.
 */
public final class AotTraining {
    /** Clients in the training; with {@link #ROUNDS} this takes ~10 s of one core. */
    static final int CLIENTS = 24_000;
    static final int ROUNDS = 3;

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: AotTraining WORKDIR STAMPFILE");
            System.exit(2);
        }
        Path work = Path.of(args[0]).toAbsolutePath();
        Path stamp = Path.of(args[1]).toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        Trained trained = run(work, CLIENTS, ROUNDS);
        TrainingClients clients = trained.v4();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Files.writeString(stamp, stampOf(Path.of(System.getProperty("java.class.path")),
                System.getProperty("java.runtime.version")) + "\n");
        System.err.printf("vmaddr AOT training: %d replies (%d NAKs), %d DHCPv6 answers, %d API answers in %d ms; stamp %s%n",
                clients.replies(), clients.naks(), trained.dhcp6Answers(), trained.apiAnswers(), ms, stamp);
        deleteTree(work);
        System.exit(0);
    }

    /**
     * What the launcher compares before it uses the cache: the jar's size and modification time (in
     * seconds, as {@code stat -c %s:%Y} prints them) and the JDK's runtime version (the
     * {@code JAVA_RUNTIME_VERSION} of its {@code release} file).
     */
    static String stampOf(Path jar, String runtimeVersion) throws IOException {
        BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
        return "jar=" + a.size() + ":" + a.lastModifiedTime().toMillis() / 1000 + " jdk=" + runtimeVersion;
    }

    /** What a training run answered: the DHCPv4 clients, how many DHCPv6 answers its clients got, how many API requests got a 2xx. */
    record Trained(TrainingClients v4, long dhcp6Answers, int apiAnswers) {}

    /**
     * Runs the training traffic: {@code rounds} rounds of {@code clients / rounds} DHCPv4 clients
     * each, and {@code clients / 2} DHCPv6 clients.
     */
    static Trained run(Path work, int clients, int rounds) throws Exception {
        int clients6 = clients / 2;
        NetworkInterface lo = NetworkInterface.getByName("lo");
        int loIndex = lo == null ? 1 : lo.getIndex();
        // Relayed requests are served on any interface; the server identifier is the address of the
        // interface they came in on (lo here), as on a host whose relay reaches it over a bridge.
        Ipv4Address serverId = Ipv4Address.parse("127.0.0.1");
        String yaml = """
                dataDir: %s
                api: { listen: 127.0.0.1:0 }
                log: { level: warn }
                dhcp:
                  interfaces: [lo]
                  probe: { method: none }
                networks:
                  - name: train
                    cidr: 198.18.0.0/15
                    gateway: 198.18.0.1
                    leaseTime: 2h
                    dns: [198.18.0.53]
                    domain: train.example
                    pools: ["198.18.0.10-198.18.101.250"]
                    bridge: lo
                    ipv6Prefix: "2001:db8:7::/64"
                    ipv6Mode: stateful
                    ipv6Pools: ["2001:db8:7::100-2001:db8:7::ffff"]
                """.formatted(work.resolve("data"));
        Files.createDirectories(work);
        Path file = work.resolve("vmaddr.yaml");
        Files.writeString(file, yaml);
        // The pool (26,101 addresses) is small for the clients (24,000) on purpose: it ends ~92 % full,
        // so the free-address search crosses bitmap words and summary levels on most allocations, and
        // the profile has its descent loop (a pool that stayed sparse left it out, and a server's
        // first allocation across a word boundary deoptimized the allocation path).
        VmaddrConfig config = ConfigLoader.load(file);
        // error, not the config's warn: the declines the training makes are logged at warn, and the build log stays clean
        LogLevel.apply("error");
        InMemoryTransport transport = new InMemoryTransport();
        TrainingClients c = new TrainingClients(TrainingClients.inMemory(transport, loIndex, serverId), TrainingClients.RELAY,
                serverId, clients);
        TrainingClients6 c6 = new TrainingClients6(loIndex, Ipv6Address.parse("2001:db8:7::1"), clients6 + 500);
        int apiAnswers;
        try (Server server = new Server(config, Clock.systemUTC(), new SecureRandom(), List.of())
                .dhcpTransports(port -> transport).ipv6Sockets(c6.sockets())) {
            server.start();
            dhcp6(c6, clients6);
            for (int round = 0; round < rounds; round++) {
                int from = round * (clients / rounds);
                int to = from + clients / rounds;
                // new clients, in waves of a loaded network (64) and of a burst after a restart (2,000)
                waves(c, from, to, 64, TrainingClients.DISCOVER, TrainingClients.SELECTING);
                // the same clients returning: DISCOVER finds their lease, REQUEST renews it
                waves(c, from, to, 2_000, TrainingClients.DISCOVER, TrainingClients.SELECTING);
                waves(c, from, to, 256, TrainingClients.INIT_REBOOT, TrainingClients.REBINDING, TrainingClients.INFORM);
                // clients that moved: their INIT-REBOOT names an address that is not theirs (NAK)
                c.wave(TrainingClients.INIT_REBOOT, from, Math.min(to, from + 512), true);
                c.malformed(200);
                // a tenth leave, a few find their address in use; then they come back as new clients
                waves(c, from, from + (to - from) / 10, 256, TrainingClients.RELEASE);
                c.wave(TrainingClients.DISCOVER, from, Math.min(to, from + 128), false);
                c.wave(TrainingClients.DECLINE, from, Math.min(to, from + 16), false);
                waves(c, from, to, 1_000, TrainingClients.DISCOVER, TrainingClients.SELECTING);
                // the next round's clients meet a server with these leases: the found branches stay warm
                waves(c, 0, to, 2_000, TrainingClients.DISCOVER, TrainingClients.SELECTING);
                if (round == 0 && server.store() instanceof EmbeddedStore embedded) {
                    // The restart below then loads a snapshot and replays the log written after it, as
                    // a server that ran for a while does: without it the snapshot's decoding (a
                    // restart's hot loop at a million leases) was neither in the cache nor profiled.
                    embedded.snapshot();
                }
            }
            apiAnswers = TrainingRequests.send(server.apiUrl(), config.api().tokenFile(), "train");
        }
        // A restart: recovery of the store's log, the indexes rebuilt from its leases, and every
        // client returning at once, as after a host's reboot.
        InMemoryTransport restarted = new InMemoryTransport();
        c.reconnect(TrainingClients.inMemory(restarted, loIndex, serverId));
        try (Server server = new Server(config, Clock.systemUTC(), new SecureRandom(), List.of())
                .dhcpTransports(port -> restarted).ipv6Sockets(c6.sockets())) {
            server.start();
            waves(c, 0, clients, 2_000, TrainingClients.INIT_REBOOT, TrainingClients.DISCOVER, TrainingClients.SELECTING);
            for (int w = 0; w < clients6; w += 1_000) {
                c6.renew(w, Math.min(clients6, w + 1_000), Dhcp6Codes.RENEW);
            }
        }
        return new Trained(c, c6.answers(), apiAnswers);
    }

    /**
     * DHCPv6 as perfdhcp -6 and real clients send it: new clients in waves (four messages each, the
     * REPLY sent after its fsync), renewals, releases and the released coming back, relayed rapid
     * commit, garbage.
     */
    private static void dhcp6(TrainingClients6 c6, int clients) throws Exception {
        for (int w = 0; w < clients; w += 500) {
            int end = Math.min(clients, w + 500);
            c6.exchange(w, end);
            c6.renew(w, end, Dhcp6Codes.RENEW);
        }
        c6.renew(0, clients / 10, Dhcp6Codes.RELEASE);
        c6.exchange(0, clients / 10);
        c6.relayedRapidCommit(clients, clients + 500);
        c6.garbage(200);
    }

    private static void waves(TrainingClients c, int from, int to, int size, int... kinds)
            throws InterruptedException, IOException {
        for (int w = from; w < to; w += size) {
            int end = Math.min(to, w + size);
            for (int kind : kinds) {
                c.wave(kind, w, end, false);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
