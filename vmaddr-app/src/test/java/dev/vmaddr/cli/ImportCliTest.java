package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.api.TestServer;
import dev.vmaddr.ipam.AllocationRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmaddr import} against a running server: conflicts (outside the CIDR, held by another MAC
 * in vmaddr) left alone and listed, a dry run that answers what the real run then does and writes
 * nothing, a second identical import that imports 0, and a broken file that writes nothing.
 */
class ImportCliTest {
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
        return CliRun.online(srv, args);
    }

    @Test
    void dnsmasqLeasesAndHostsDryRunThenRealThenAgain() throws Exception {
        assertThat(vmaddr("network", "create", "imp1", "--cidr", "198.18.20.0/24", "--gateway", "198.18.20.1",
                "--pool", "198.18.20.100-198.18.20.200").exit()).isZero();
        srv.server.engine().allocate("imp1", AllocationRequest.of(MacAddress.parse("02:18:00:00:00:99"))
                .withRequestedIp(Ipv4Address.parse("198.18.20.110")));
        long later = Instant.now().getEpochSecond() + 7200;
        long earlier = Instant.now().getEpochSecond() - 60;
        Path leases = Files.writeString(dir.resolve("dnsmasq.leases"), String.join("\n",
                later + " 52:54:00:20:00:01 198.18.20.101 alpha *",
                later + " 52:54:00:20:00:02 198.18.20.102 beta 01:52:54:00:20:00:02",
                later + " 52:54:00:20:00:03 198.18.20.110 gamma *",     // held by 02:18:00:00:00:99 in vmaddr
                later + " 52:54:00:20:00:04 198.18.99.5 delta *",       // outside 198.18.20.0/24
                earlier + " 52:54:00:20:00:05 198.18.20.103 old *",     // ran out: left out, noted
                later + " 52:54:00:20:00:06 198.18.20.5 fixed *",       // outside the pools, reserved by the conf below
                ""));
        Path conf = Files.writeString(dir.resolve("dnsmasq.conf"), """
                dhcp-range=198.18.20.100,198.18.20.200,1h
                dhcp-host=52:54:00:20:00:06,set:known,198.18.20.5,fixed
                """);
        String[] base = {"import", "--from", "dnsmasq", leases.toString(), conf.toString(), "--network", "imp1", "-o", "json"};

        CliRun dry = vmaddr(concat(base, "--dry-run"));
        assertThat(dry.exit()).as(dry.err()).isZero();
        JsonNode d = dry.json();
        assertThat(d.path("dryRun").asBoolean()).isTrue();
        assertThat(d.path("imported").asInt()).isEqualTo(4); // 1 reservation + 3 leases
        assertThat(d.path("unchanged").asInt()).isZero();
        assertThat(d.path("conflicts")).hasSize(2);
        assertThat(dry.err()).contains("set:known").contains("1 leases had run out");
        assertThat(srv.server.engine().lease("imp1", Ipv4Address.parse("198.18.20.101"))).isEmpty();
        assertThat(vmaddr("reservation", "list", "--network", "imp1", "-o", "json").json()).isEmpty();

        CliRun real = vmaddr(base);
        assertThat(real.exit()).as(real.err()).isZero();
        JsonNode r = real.json();
        assertThat(r.path("dryRun").asBoolean()).isFalse();
        assertThat(r.path("imported")).isEqualTo(d.path("imported"));
        assertThat(r.path("unchanged")).isEqualTo(d.path("unchanged"));
        assertThat(r.path("conflicts")).isEqualTo(d.path("conflicts"));
        JsonNode gamma = conflict(r, "198.18.20.110");
        assertThat(gamma.path("mac").asText()).isEqualTo("52:54:00:20:00:03");
        assertThat(gamma.path("reason").asText()).contains("02:18:00:00:00:99");
        assertThat(conflict(r, "198.18.99.5").path("reason").asText()).contains("not in network");

        JsonNode list = vmaddr("lease", "list", "--network", "imp1", "-o", "json").json();
        JsonNode alpha = lease(list, "198.18.20.101");
        assertThat(alpha.path("state").asText()).isEqualTo("bound");
        assertThat(alpha.path("mac").asText()).isEqualTo("52:54:00:20:00:01");
        assertThat(alpha.path("hostname").asText()).isEqualTo("alpha");
        assertThat(Instant.parse(alpha.path("expiresAt").asText())).isEqualTo(Instant.ofEpochSecond(later));
        assertThat(lease(list, "198.18.20.102").path("clientId").asText()).isEqualTo("0152540020000" + "2");
        assertThat(lease(list, "198.18.20.5").path("mac").asText()).isEqualTo("52:54:00:20:00:06");
        assertThat(lease(list, "198.18.20.110").path("mac").asText()).isEqualTo("02:18:00:00:00:99"); // left alone
        assertThat(vmaddr("reservation", "list", "--network", "imp1").out()).contains("198.18.20.5").contains("52:54:00:20:00:06");

        CliRun again = vmaddr(base);
        assertThat(again.exit()).isZero();
        assertThat(again.json().path("imported").asInt()).isZero();
        assertThat(again.json().path("unchanged").asInt()).isEqualTo(4);
        assertThat(again.json().path("conflicts")).hasSize(2);

        CliRun table = vmaddr("import", "--from", "dnsmasq", leases.toString(), "--network", "imp1", "--dry-run");
        assertThat(table.out()).contains("dry run: would be 0 imported, 3 unchanged, 2 conflicts").contains("198.18.99.5");
    }

    @Test
    void aMalformedLineWritesNothingAndExits2() throws Exception {
        assertThat(vmaddr("network", "create", "imp2", "--cidr", "198.18.21.0/24", "--pool", "198.18.21.100-198.18.21.200").exit())
                .isZero();
        long later = Instant.now().getEpochSecond() + 7200;
        Path bad = Files.writeString(dir.resolve("bad.leases"), later + " 52:54:00:21:00:01 198.18.21.101 a *\n"
                + later + " 52:54:00:21:00:02 198.18.21.102\n");
        CliRun run = vmaddr("import", "--from", "dnsmasq", bad.toString(), "--network", "imp2");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains(bad + ":2: ").contains("nothing was imported");
        assertThat(srv.server.engine().lease("imp2", Ipv4Address.parse("198.18.21.101"))).isEmpty();

        Path kea = Files.writeString(dir.resolve("kea.conf"), "{ \"Dhcp4\": { \"reservations\": [\n"
                + "  { \"hw-address\": \"52:54:00:21:00:09\", \"ip-address\": \"198.18.21.9\" },\n"
                + "  { \"hw-address\": \"52:54:00:21:00\", \"ip-address\": \"198.18.21.10\" } ] } }\n");
        CliRun keaRun = vmaddr("import", "--from", "kea", kea.toString(), "--network", "imp2");
        assertThat(keaRun.exit()).isEqualTo(2);
        assertThat(keaRun.err()).contains(kea + ":3: ");
        assertThat(vmaddr("reservation", "list", "--network", "imp2", "-o", "json").json()).isEmpty();

        assertThat(vmaddr("import", "--from", "bind", bad.toString(), "--network", "imp2").exit()).isEqualTo(2);
        assertThat(vmaddr("import", "--from", "dnsmasq", dir.resolve("missing").toString(), "--network", "imp2").exit()).isEqualTo(2);
        assertThat(vmaddr("import", "--from", "libvirt", kea.toString(), "--network", "nope").exit()).isEqualTo(2);
    }

    /**
     * 30,000 leases, 4.8 MB of file and ~5 MB of request: over the API's 1 MiB JSON limit, which the
     * import route alone lifts. On a terminal (a pty from script(1)) stderr shows a progress bar;
     * with stderr captured it shows none.
     */
    @Test
    void aLargeImportPassesTheBodyLimitAndShowsABarOnlyOnATerminal() throws Exception {
        assertThat(vmaddr("network", "create", "imp3", "--cidr", "198.18.128.0/17", "--pool", "198.18.128.10-198.18.255.250")
                .exit()).isZero();
        long later = Instant.now().getEpochSecond() + 7200;
        StringBuilder sb = new StringBuilder();
        String pad = "x".repeat(100);
        for (int i = 0; i < 30_000; i++) {
            int a = 0xC6128000 + 256 + i; // 198.18.129.0 + i
            sb.append(later).append(String.format(" 52:54:01:%02x:%02x:%02x ", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff))
                    .append(new Ipv4Address(a)).append(" h").append(i).append(pad).append(" *\n");
        }
        Path big = Files.writeString(dir.resolve("big.leases"), sb);
        assertThat(Files.size(big)).isGreaterThan(4L << 20);

        String cmd = String.join(" ", ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "import", "--from", "dnsmasq", big.toString(),
                "--network", "imp3", "--dry-run", "--api", srv.url, "--token-file", srv.dataDir.resolve("api-token").toString());
        Process p = new ProcessBuilder("script", "-qec", cmd, "/dev/null").redirectErrorStream(true).start();
        String tty = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(tty).isZero();
        assertThat(tty).contains("import").contains("MiB").contains("dry run: would be 30000 imported");

        CliRun real = vmaddr("import", "--from", "dnsmasq", big.toString(), "--network", "imp3", "-o", "json");
        assertThat(real.exit()).as(real.err()).isZero();
        assertThat(real.json().path("imported").asInt()).isEqualTo(30_000);
        assertThat(real.err()).doesNotContain("MiB");
        assertThat(srv.server.engine().stats("imp3").toString()).isNotEmpty();
        assertThat(srv.server.engine().lease("imp3", new Ipv4Address(0xC6128000 + 256 + 29_999))).isPresent();
    }

    private static JsonNode conflict(JsonNode report, String ip) {
        for (JsonNode c : report.path("conflicts")) {
            if (c.path("ip").asText().equals(ip)) {
                return c;
            }
        }
        throw new AssertionError("no conflict for " + ip + " in " + report);
    }

    private static JsonNode lease(JsonNode list, String ip) {
        for (JsonNode l : list) {
            if (l.path("ip").asText().equals(ip)) {
                return l;
            }
        }
        throw new AssertionError("no lease of " + ip + " in " + list);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
