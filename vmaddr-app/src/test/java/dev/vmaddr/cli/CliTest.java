package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every client command against a running server, in-process, with captured stdout/stderr and exit codes. */
class CliTest {
    @TempDir
    static Path dir;
    static TestServer srv;

    @BeforeAll
    static void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        srv.close();
    }

    static CliRun vmaddr(String... args) {
        boolean needsServer = !List.of("config", "completion").contains(args[0]) && !List.of(args).contains("--help");
        return needsServer ? CliRun.online(srv, args) : CliRun.offline(args);
    }

    @Test
    void networkPoolReservationLifecycle() throws Exception {
        CliRun create = vmaddr("network", "create", "c1", "--cidr", "198.18.8.0/24", "--gateway", "198.18.8.1",
                "--pool", "198.18.8.10-198.18.8.50", "--output", "json");
        assertThat(create.exit()).as(create.err()).isZero();
        assertThat(create.json().path("name").asText()).isEqualTo("c1");
        assertThat(vmaddr("network", "list").out()).contains("c1").contains("198.18.8.0/24");
        assertThat(vmaddr("network", "show", "c1").out()).contains("stats");
        assertThat(vmaddr("pool", "add", "--network", "c1", "198.18.8.100-198.18.8.110").exit()).isZero();
        assertThat(vmaddr("pool", "list", "--network", "c1", "-o", "json").json()).hasSize(2);
        assertThat(vmaddr("pool", "remove", "--network", "c1", "198.18.8.100-198.18.8.110").exit()).isZero();
        assertThat(vmaddr("reservation", "add", "--network", "c1", "--mac", "02:18:AA:00:00:50", "--ip", "198.18.8.5").exit()).isZero();
        assertThat(vmaddr("reservation", "list", "--network", "c1").out()).contains("02:18:aa:00:00:50");
        assertThat(vmaddr("reservation", "remove", "--network", "c1", "198.18.8.5").exit()).isZero();
        // an address another client's lease holds: refused (exit 1, the holder named) unless --take-over
        assertThat(vmaddr("allocation", "create", "--network", "c1", "--mac", "02:18:aa:00:00:51", "--ip", "198.18.8.20").exit()).isZero();
        CliRun clash = vmaddr("reservation", "add", "--network", "c1", "--mac", "02:18:aa:00:00:52", "--ip", "198.18.8.20");
        assertThat(clash.exit()).isEqualTo(1);
        assertThat(clash.err()).contains("02:18:aa:00:00:51");
        assertThat(vmaddr("reservation", "add", "--network", "c1", "--mac", "02:18:aa:00:00:52", "--ip", "198.18.8.20",
                "--take-over").exit()).isZero();
        assertThat(vmaddr("network", "delete", "c1").exit()).isZero();
        assertThat(vmaddr("network", "show", "c1").exit()).isEqualTo(1);
    }

    @Test
    void allocationsAndLeaseListJsonFollowsEveryPage() throws Exception {
        assertThat(vmaddr("network", "create", "c2", "--cidr", "198.18.12.0/22", "--pool", "198.18.12.10-198.18.15.250").exit()).isZero();
        for (int i = 0; i < 1005; i++) {  // more than one page of 1000
            srv.server.engine().allocate("c2", dev.vmaddr.ipam.AllocationRequest.of(new dev.vmaddr.addr.MacAddress(0x021800000000L + i)));
        }
        CliRun alloc = vmaddr("allocation", "create", "--network", "c2", "--mac", "02-18-FF-00-00-01", "--hostname", "web1", "-o", "json");
        assertThat(alloc.exit()).as(alloc.err()).isZero();
        String ip = alloc.json().path("ip").asText();
        CliRun list = vmaddr("lease", "list", "--network", "c2", "--output", "json");
        assertThat(list.exit()).isZero();
        JsonNode leases = list.json();
        assertThat(leases.isArray()).isTrue();
        assertThat(leases).hasSize(1006);
        JsonNode web1 = null;
        for (JsonNode l : leases) {
            assertThat(l.has("ip") && l.has("mac") && l.has("network") && l.has("state") && l.has("clientId")
                    && l.has("hostname") && l.has("expiresAt")).isTrue();
            if (l.path("ip").asText().equals(ip)) {
                web1 = l;
            }
        }
        assertThat(web1.path("mac").asText()).isEqualTo("02:18:ff:00:00:01");
        assertThat(web1.path("state").asText()).isEqualTo("bound");
        assertThat(web1.path("clientId").isNull()).isTrue();
        assertThat(vmaddr("lease", "show", "--network", "c2", ip).out()).contains("web1");
        assertThat(vmaddr("lease", "list", "--network", "c2", "--mac", "02:18:ff:00:00:01").out()).contains(ip);
        assertThat(vmaddr("allocation", "release", "--network", "c2", ip).exit()).isZero();
        CliRun taken = vmaddr("allocation", "create", "--network", "c2", "--mac", "02:18:ff:00:00:02", "--ip", "198.18.12.10");
        assertThat(taken.exit()).isEqualTo(1);
        assertThat(taken.err()).contains("conflict");
    }

    @Test
    void macCommands() throws Exception {
        CliRun a = vmaddr("mac", "allocate", "--owner", "vm/x/nic0", "-o", "json");
        assertThat(a.exit()).isZero();
        assertThat(a.json().path("mac").asText()).startsWith("52:54:00:");
        assertThat(vmaddr("mac", "claim", "52:54:00:AB:CD:EF").exit()).isZero();
        assertThat(vmaddr("mac", "list").out()).contains("52:54:00:ab:cd:ef");
        assertThat(vmaddr("mac", "release", "52:54:00:ab:cd:ef").exit()).isZero();
    }

    @Test
    void badInputExits2() {
        assertThat(vmaddr("network", "create", "c3", "--cidr", "198.18.0.0/40").exit()).isEqualTo(2);
        assertThat(vmaddr("network", "create", "c3").exit()).isEqualTo(2);          // missing --cidr
        assertThat(vmaddr("network", "list", "--output", "xml").exit()).isEqualTo(2);
        assertThat(vmaddr("pool", "add", "--network", "nope").exit()).isEqualTo(2);
        assertThat(vmaddr("pool", "remove", "--network", "c3", "garbage").exit()).isEqualTo(2);
        assertThat(vmaddr("reservation", "add", "--network", "c3", "--ip", "198.18.0.5").exit()).isEqualTo(2);
        assertThat(vmaddr("reservation", "remove", "--network", "c3", "not-an-ip").exit()).isEqualTo(2);
        assertThat(vmaddr("lease", "list", "--state", "happy").exit()).isEqualTo(2);
        assertThat(vmaddr("lease", "show", "--network", "c3", "1.2.3").exit()).isEqualTo(2);
        assertThat(vmaddr("allocation", "create", "--network", "c3", "--mac", "zz").exit()).isEqualTo(2);
        assertThat(vmaddr("allocation", "release", "--network", "c3", "x").exit()).isEqualTo(2);
        assertThat(vmaddr("mac", "claim", "01:00:5e:00:00:01").exit()).isEqualTo(2);
        assertThat(vmaddr("mac", "release", "nope").exit()).isEqualTo(2);
        assertThat(vmaddr("network", "frobnicate").exit()).isEqualTo(2);
        assertThat(vmaddr("config", "check").exit()).isEqualTo(2);
    }

    @Test
    void wrongTokenExits2() {
        StringWriter err = new StringWriter();
        Path bad = dir.resolve("bad-token");
        try {
            Files.writeString(bad, "nope");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        int exit = Main.run(new String[] {"network", "list", "--api", srv.url, "--token-file", bad.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("not authorized");
    }

    @Test
    void configCheck() throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, dev.vmaddr.config.ConfigLoaderTest.PRODUCT_EXAMPLE);
        CliRun ok = vmaddr("config", "check", "--config", good.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out().strip()).isEqualTo("ok: 2 networks");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "networks:\n  - name: a\n    cidr: 198.18.0.0/24\n    gateway: 10.0.0.1\n    colour: red\n");
        CliRun no = vmaddr("config", "check", "--config", bad.toString());
        assertThat(no.exit()).isEqualTo(2);
        assertThat(no.out()).isEmpty();
        assertThat(no.err().lines().toList()).containsExactlyInAnyOrder(
                bad + ":5: networks[0].colour: unknown key",
                bad + ":4: networks[0].gateway: " + no.err().lines().filter(l -> l.contains("gateway")).findFirst().orElseThrow()
                        .substring((bad + ":4: networks[0].gateway: ").length()));
    }

    @Test
    void helpHasAnExampleOnEveryCommandAndCompletionPrintsAScript() {
        var root = Main.commandLine();
        List<picocli.CommandLine> all = new ArrayList<>();
        collect(root, all);
        for (picocli.CommandLine c : all) {
            StringWriter out = new StringWriter();
            c.usage(new PrintWriter(out));
            assertThat(out.toString()).as(c.getCommandName()).contains("Example").contains("vmaddr ");
        }
        CliRun completion = vmaddr("completion");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F").contains("lease");
        assertThat(vmaddr("lease", "list", "--help").exit()).isZero();
    }

    private static void collect(picocli.CommandLine c, List<picocli.CommandLine> into) {
        into.add(c);
        c.getSubcommands().values().forEach(s -> collect(s, into));
    }
}
