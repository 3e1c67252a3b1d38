package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.Json;
import dev.vmaddr.cli.Main;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 21: {@code vmaddr import} of the files the real servers write. In the lab's server namespace
 * dnsmasq, kea-dhcp4 or ISC dhcpd serves srv0 first, real clients (dhclient, udhcpc) get leases and
 * one gets its reservation; then that server stops, vmaddr starts on the same interface, and the
 * real {@code vmaddr import} CLI (a child JVM in the namespace) reads the server's lease file and
 * configuration. What vmaddr then lists must be what the clients were given (address, MAC,
 * client-id) and what the server's own file holds; a dry run answers the same and writes nothing;
 * a second import imports 0. Finally the dhclient that held an imported lease starts again from its
 * lease file (INIT-REBOOT) and renews at vmaddr's T1: both are ACKed, never NAKed.
 */
@RequiresRoot
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ImportFromRealServersNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String VMADDR = """
            dhcp:
              interfaces: [srv0]
              probe: { method: none, timeout: 300ms }
              authoritative: true
            networks:
              - name: lan0
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                bridge: srv0
                leaseTime: 60s
                renewTime: 3s
                rebindTime: 50s
                pools: ["198.18.0.100-198.18.0.199"]
            """;
    private static final String DHCLIENT_MAC = "02:18:00:00:21:01";
    private static final String UDHCPC_MAC = "02:18:00:00:21:02";
    private static final String RESERVED_MAC = "02:18:00:00:21:03";
    private static final String RESERVED_IP = "198.18.0.50";

    /** What the clients were given under the foreign server: address by MAC. */
    private record Held(DhcpClient dhclient, Map<String, String> ipByMac) {}

    @Test
    void dnsmasqLeaseFileAndDhcpHostLines(@TempDir Path dir) throws IOException {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            Path conf = Files.writeString(dir.resolve("dnsmasq.conf"), """
                    # as an operator would write it
                    dhcp-range=198.18.0.100,198.18.0.199,10m
                    dhcp-host=%s,set:known,%s,fixed
                    dhcp-authoritative
                    """.formatted(RESERVED_MAC, RESERVED_IP));
            Path leases = dir.resolve("dnsmasq.leases");
            NetnsProcess dnsmasq = lab.serverNs().start("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                    "--port=0", "--no-ping", "--interface=srv0", "--bind-interfaces", "--conf-file=" + conf,
                    "--dhcp-leasefile=" + leases, "--pid-file=" + dir.resolve("dnsmasq.pid"));
            awaitListening(lab, dnsmasq);
            Held held = clientsGetLeases(lab);
            dnsmasq.close();
            // dnsmasq's own record: one line per lease it holds
            List<String> lines = Files.readAllLines(leases).stream().filter(l -> !l.isBlank()).toList();
            assertThat(lines).hasSize(3);
            held.ipByMac().forEach((mac, ip) -> assertThat(lines).anyMatch(l -> l.contains(" " + mac + " " + ip + " ")));

            importAndRenew(lab, held, "dnsmasq", List.of(leases, conf), 4);
        }
    }

    @Test
    void keaMemfileAndJsonReservationsWithComments(@TempDir Path dir) throws IOException {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            Path leases = dir.resolve("kea-leases4.csv");
            Path conf = Files.writeString(dir.resolve("kea-dhcp4.conf"), """
                    // kea-dhcp4.conf: Kea accepts all three kinds of comment
                    {
                      # the server
                      "Dhcp4": {
                        "interfaces-config": { "interfaces": [ "srv0" ], "dhcp-socket-type": "raw" },
                        "lease-database": { "type": "memfile", "persist": true, "name": "%s", "lfc-interval": 0 },
                        /* an early T1, so that
                           the memfile gets renewal rows */
                        "valid-lifetime": 600, "renew-timer": 5, "rebind-timer": 500, "authoritative": true,
                        "subnet4": [ {
                          "id": 1, "subnet": "198.18.0.0/24",
                          "pools": [ { "pool": "198.18.0.100 - 198.18.0.199" } ],
                          "reservations": [ { "hw-address": "%s", "ip-address": "%s", "hostname": "fixed" } ]
                        } ],
                        "loggers": [ { "name": "kea-dhcp4", "severity": "INFO", "output_options": [ { "output": "%s" } ] } ]
                      }
                    }
                    """.formatted(leases, RESERVED_MAC, RESERVED_IP, dir.resolve("kea.log")));
            NetnsProcess kea = lab.serverNs().start("env", "KEA_LOCKFILE_DIR=" + dir, "KEA_PIDFILE_DIR=" + dir,
                    "kea-dhcp4", "-c", conf.toString());
            awaitListening(lab, kea);
            Held held = clientsGetLeases(lab);
            // at least one renewal (T1 5 s) appends a second row for an address: the importer must take the latest
            held.dhclient().await("renew", WAIT);
            kea.close();
            List<String> rows = Files.readAllLines(leases);
            assertThat(rows.size() - 1).as("memfile rows").isGreaterThan(3);
            held.ipByMac().forEach((mac, ip) -> assertThat(rows).anyMatch(r -> r.startsWith(ip + "," + mac + ",")));

            importAndRenew(lab, held, "kea", List.of(leases, conf), 4);
        }
    }

    @Test
    void iscDhcpdLeasesAndHostBlocks(@TempDir Path dir) throws IOException {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            Path leases = Files.writeString(dir.resolve("dhcpd.leases"), "");
            Path conf = Files.writeString(dir.resolve("dhcpd.conf"), """
                    authoritative;
                    default-lease-time 600;
                    max-lease-time 600;
                    option dhcp-renewal-time 5;
                    option dhcp-rebinding-time 500;
                    ddns-update-style none;
                    subnet 198.18.0.0 netmask 255.255.255.0 {
                      range 198.18.0.100 198.18.0.199;
                      option routers 198.18.0.1;
                      group {
                        host fixed { hardware ethernet %s; fixed-address %s; }
                      }
                    }
                    """.formatted(RESERVED_MAC, RESERVED_IP));
            NetnsProcess dhcpd = lab.serverNs().start("dhcpd", "-4", "-f", "-d", "-cf", conf.toString(), "-lf", leases.toString(),
                    "-pf", dir.resolve("dhcpd.pid").toString(), "srv0");
            awaitListening(lab, dhcpd);
            Held held = clientsGetLeases(lab);
            held.dhclient().await("renew", WAIT); // a second lease block for the same address
            dhcpd.close();
            String journal = Files.readString(leases);
            held.ipByMac().forEach((mac, ip) -> {
                if (!ip.equals(RESERVED_IP)) { // dhcpd keeps no lease for a fixed-address host
                    assertThat(journal).contains("lease " + ip + " {").contains("hardware ethernet " + mac + ";");
                }
            });
            // reservation 1 + the two dynamic leases (the fixed host's address is served from its host block)
            importAndRenew(lab, held, "dhcpd", List.of(leases, conf), 3);
        }
    }

    private static void awaitListening(DhcpLab lab, NetnsProcess server) {
        for (int i = 0; i < 200; i++) {
            if (lab.serverNs().exec("ss", "-lun", "sport = :67").stdout().contains(":67")) {
                return;
            }
            if (!server.isAlive()) {
                break;
            }
            sleep(50);
        }
        throw new AssertionError("the DHCP server did not start: " + server.describe());
    }

    /** dhclient (no client-id), udhcpc (client-id 01+MAC) and a reserved dhclient get leases from the foreign server. */
    private static Held clientsGetLeases(DhcpLab lab) {
        Map<String, String> ipByMac = new LinkedHashMap<>();
        DhcpClient d = lab.dhclient(lab.client("c1", 0, DHCLIENT_MAC));
        DhcpClient u = lab.udhcpc(lab.client("c2", 0, UDHCPC_MAC));
        DhcpClient r = lab.dhclient(lab.client("c3", 0, RESERVED_MAC));
        ipByMac.put(DHCLIENT_MAC, d.ip(d.await("bound", WAIT)));
        ipByMac.put(UDHCPC_MAC, u.ip(u.await("bound", WAIT)));
        ipByMac.put(RESERVED_MAC, r.ip(r.await("bound", WAIT)));
        assertThat(ipByMac.get(RESERVED_MAC)).isEqualTo(RESERVED_IP);
        u.process().kill(); // SIGKILL: no RELEASE (udhcpc -R releases on SIGTERM)
        r.close();
        return new Held(d, ipByMac);
    }

    private static void importAndRenew(DhcpLab lab, Held held, String from, List<Path> files, int records) {
        held.dhclient().close(); // SIGTERM, lease file kept: the client is "down" while the servers change
        lab.startServer(VMADDR);

        JsonNode dry = runImport(lab, from, files, true);
        assertThat(dry.path("dryRun").asBoolean()).isTrue();
        assertThat(dry.path("imported").asInt()).as(dry.toString()).isEqualTo(records);
        assertThat(dry.path("conflicts")).isEmpty();
        assertThat(lab.leases("lan0")).isEmpty();

        JsonNode real = runImport(lab, from, files, false);
        assertThat(real.path("imported")).isEqualTo(dry.path("imported"));
        assertThat(real.path("unchanged")).isEqualTo(dry.path("unchanged"));
        assertThat(real.path("conflicts")).isEqualTo(dry.path("conflicts"));
        String dynIp = held.ipByMac().get(DHCLIENT_MAC);
        FirstLeaseNetnsTest.assertLease(lab, dynIp, DHCLIENT_MAC, null);
        FirstLeaseNetnsTest.assertLease(lab, held.ipByMac().get(UDHCPC_MAC), UDHCPC_MAC, "01" + UDHCPC_MAC.replace(":", ""));
        assertThat(lab.apiOk("GET", "/api/v1/networks/lan0/reservations", null)).contains(RESERVED_MAC).contains(RESERVED_IP);

        JsonNode again = runImport(lab, from, files, false);
        assertThat(again.path("imported").asInt()).isZero();
        assertThat(again.path("unchanged").asInt()).isEqualTo(records);

        // The client comes back with its lease file: INIT-REBOOT, then RENEW at vmaddr's T1 (3 s). Both ACKed.
        DhcpClient back = lab.dhclientAgain(held.dhclient());
        assertThat(back.ip(back.await("reboot", WAIT))).isEqualTo(dynIp);
        assertThat(back.ip(back.await("renew", WAIT))).isEqualTo(dynIp);
        assertThat(back.process().stderr()).doesNotContain("DHCPNAK");
        assertThat(lab.server().stderrLines()).anyMatch(l -> l.contains("event=lease.renewed") && l.contains("ip=" + dynIp))
                .noneMatch(l -> l.contains("event=dhcp.nak"));
        back.close();
    }

    /** The real CLI, in a child JVM in the server namespace (where the API listens); its stdout as JSON. */
    private static JsonNode runImport(DhcpLab lab, String from, List<Path> files, boolean dryRun) {
        List<String> args = new ArrayList<>(List.of("import", "--from", from));
        files.forEach(f -> args.add(f.toString()));
        args.addAll(List.of("--network", "lan0", "--output", "json", "--api", "http://127.0.0.1:" + DhcpLab.API_PORT,
                "--token-file", lab.tokenFile().toString()));
        if (dryRun) {
            args.add("--dry-run");
        }
        NetnsProcess cli = lab.serverNs().startJava(Main.class, args.toArray(String[]::new));
        int exit = cli.waitFor(Duration.ofSeconds(60));
        assertThat(exit).as(cli.describe()).isZero();
        try {
            return Json.MAPPER.readTree(String.join("\n", cli.lines()));
        } catch (IOException e) {
            throw new AssertionError(cli.describe(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
