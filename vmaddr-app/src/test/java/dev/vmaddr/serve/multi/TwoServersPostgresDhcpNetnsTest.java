package dev.vmaddr.serve.multi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.Forwarder;
import dev.vmaddr.testing.netns.Bridge;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsLab;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import dev.vmaddr.testing.postgres.PostgresCluster;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real {@code vmaddr serve} processes with DHCP, each in its own network namespace on one bridge
 * (srv0 198.18.0.2/24 and 198.18.0.3/24), on one PostgreSQL database, and six udhcpc clients in
 * namespaces of their own on the same bridge: both servers answer every DISCOVER, yet every client
 * gets its own address. Then server A is killed with SIGKILL; its clients' unicast renewals go
 * unanswered, they rebind by broadcast, server B answers and every client keeps its address. The
 * database agrees throughout: one row per address, no MAC with two bound leases, and neither server
 * sends a NAK (each offers from its own part of the pool, so their offers do not collide). Both
 * servers answer on their receiver thread (deferred durability: an ACK leaves once its row committed).
 *
 * <p>PostgreSQL runs in the root namespace (127.0.0.1 for the test's own SQL); the servers reach it
 * through its Unix socket, which works across namespaces, made a TCP port inside each server
 * namespace by {@link Forwarder} (the JDBC driver has no Unix-socket support of its own).
 * Lease time 20 s: renewal at 10 s, rebinding at 17.5 s.
 */
@RequiresRoot
class TwoServersPostgresDhcpNetnsTest {
    private static final int CLIENTS = 6;
    private static final String SERVER_A = "198.18.0.2";
    private static final String SERVER_B = "198.18.0.3";
    private static final String DHCP = """
            dhcp:
              interfaces: [srv0]
              probe: { method: none }
              authoritative: true
            networks:
              - name: shared
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                leaseTime: 20s
                pools: ["198.18.0.100-198.18.0.139"]
            """;

    @Test
    void clientsGetDistinctAddressesFromTwoServersAndKeepThemWhenOneDies(@TempDir Path dir) throws Exception {
        try (PostgresCluster cluster = PostgresCluster.create(); NetnsLab lab = NetnsLab.create()) {
            String dbUrl = cluster.createDatabase("dhcp2");
            PostgresDatabase db = new PostgresDatabase(cluster, dbUrl, cluster.user(), cluster.password());
            String dbName = dbUrl.substring(dbUrl.lastIndexOf('/') + 1);
            ServerFiles files = new ServerFiles(dir, db);

            Netns sw = lab.namespace("sw");
            Bridge lan = lab.bridge(sw, "br0");
            Netns nsA = lab.namespace("srva");
            Netns nsB = lab.namespace("srvb");
            lab.connect(lan, nsA, "srv0", SERVER_A + "/24");
            lab.connect(lan, nsB, "srv0", SERVER_B + "/24");
            for (Netns ns : List.of(nsA, nsB)) {
                NetnsProcess fwd = ns.startJava(Forwarder.class, Forwarder.tcpToUnixArgs("127.0.0.1", 5432, cluster.socketFile()));
                fwd.awaitLine("READY"::equals, Duration.ofSeconds(60));
            }
            String url = "jdbc:postgresql://127.0.0.1:5432/" + dbName;
            Path hook = hook(dir);

            try (VmaddrProcess a = VmaddrProcess.start(files.config("a", url, db.user(), "127.0.0.1:0", DHCP),
                    files.log("a"), List.of("ip", "netns", "exec", nsA.name()), Duration.ofSeconds(120));
                 VmaddrProcess b = VmaddrProcess.start(files.config("b", url, db.user(), "127.0.0.1:0", DHCP),
                         files.log("b"), List.of("ip", "netns", "exec", nsB.name()), Duration.ofSeconds(120))) {
                List<Client> clients = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    Netns ns = lab.namespace("c" + i);
                    lab.connect(lan, ns, "eth0");
                    ns.addRoute("255.255.255.255/32", "eth0");
                    Path out = Files.createDirectories(dir.resolve("c" + i));
                    NetnsProcess p = ns.start("env", "VMT_OUT=" + out, "udhcpc", "-f", "-i", "eth0", "-s", hook.toString(),
                            "-t", "20", "-T", "2", "-A", "2");
                    clients.add(new Client(ns, out, p));
                }

                // every client bound, each to its own address, as the database says
                Map<String, String> ipByMac = new HashMap<>();
                Map<String, String> serverByMac = new HashMap<>();
                for (Client c : clients) {
                    Map<String, String> bound = c.await(0, e -> e.get("event").equals("bound"), Duration.ofSeconds(90));
                    String mac = c.mac();
                    ipByMac.put(mac, bound.get("ip"));
                    serverByMac.put(mac, bound.get("serverid"));
                }
                assertThat(new HashSet<>(ipByMac.values())).as("addresses of %s", ipByMac).hasSize(CLIENTS);
                assertThat(TwoServersPostgresApiTest.leasesInSql(db)).isEqualTo(TwoServersPostgresApiTest.invert(ipByMac));
                assertThat(TwoServersPostgresApiTest.duplicatesInSql(db)).isZero();
                // Both servers offered to every client, each from its own part of the pool: no two
                // offers of one address, so no REQUEST refused (issue 15 item 3).
                assertThat(a.logText()).doesNotContain("event=dhcp.nak");
                assertThat(b.logText()).doesNotContain("event=dhcp.nak");
                // the receiver answers every request itself, ACKs leave after their row's commit (issue 24)
                assertThat(a.logText()).contains("dispatch=INLINE");
                assertThat(b.logText()).contains("dispatch=INLINE");

                // server A dies; renewing clients end up with B and keep their addresses
                Map<Client, Integer> before = new LinkedHashMap<>();
                clients.forEach(c -> before.put(c, c.events().size()));
                a.kill9();
                for (Client c : clients) {
                    Map<String, String> after = c.await(before.get(c),
                            e -> (e.get("event").equals("renew") || e.get("event").equals("bound"))
                                    && SERVER_B.equals(e.get("serverid")), Duration.ofSeconds(60));
                    assertThat(after.get("ip")).as("address of %s (was served by %s) after A died", c.mac(),
                            serverByMac.get(c.mac())).isEqualTo(ipByMac.get(c.mac()));
                }
                assertThat(TwoServersPostgresApiTest.leasesInSql(db)).isEqualTo(TwoServersPostgresApiTest.invert(ipByMac));
                assertThat(TwoServersPostgresApiTest.duplicatesInSql(db)).isZero();
                assertThat(b.isAlive()).isTrue();
                assertThat(b.logText()).doesNotContain("event=dhcp.nak");
                System.out.println("servers of the first leases: " + serverByMac.values());
                clients.forEach(c -> c.process().close());
            }
        }
    }

    private static Path hook(Path dir) throws IOException {
        Path hook = dir.resolve("udhcpc-hook.sh");
        try (InputStream in = TwoServersPostgresDhcpNetnsTest.class.getResourceAsStream("/dhcp-clients/udhcpc-hook.sh")) {
            Files.copy(in, hook, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        return hook;
    }

    /** One udhcpc run; its hook writes one file per event (variables as name=value lines). */
    record Client(Netns ns, Path out, NetnsProcess process) {
        List<Map<String, String>> events() {
            try (Stream<Path> files = Files.list(out)) {
                List<Map<String, String>> events = new ArrayList<>();
                // The hook writes ".tmp-PID" and renames it when complete: a dotfile is an event still being written.
                for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
                    Map<String, String> vars = new HashMap<>();
                    for (String line : Files.readAllLines(f)) {
                        int eq = line.indexOf('=');
                        if (eq > 0) {
                            vars.put(line.substring(0, eq), line.substring(eq + 1));
                        }
                    }
                    events.add(vars);
                }
                return events;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        Map<String, String> await(int skip, java.util.function.Predicate<Map<String, String>> match, Duration timeout)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                List<Map<String, String>> events = events();
                for (Map<String, String> e : events.subList(Math.min(skip, events.size()), events.size())) {
                    if (match.test(e)) {
                        return e;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(ns + ": no matching event within " + timeout + "; events " + events
                            + "\n" + process.describe());
                }
                Thread.sleep(100);
            }
        }

        String mac() {
            String link = ns.exec("ip", "-o", "link", "show", "dev", "eth0").orThrow().stdout();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(link);
            if (!m.find()) {
                throw new AssertionError("no MAC in " + link);
            }
            return m.group(1);
        }
    }
}
