package dev.vmaddr.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.dhcp.it.DhcpLab;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * vmaddr serving DHCP on a bridge where a real libvirtd (in the test's namespace, never the host's)
 * runs real TCG QEMU guests with the guest agent: the server keeps its VMs in step with the domains
 * every second ({@code libvirt.interval: 1s}) and reads the agents by itself.
 *
 * <pre>
 *   sw:  br0 ── vnetN ── guest eth0 (udhcpc, qemu-ga)      libvirtd (sw netns, own mount ns)
 *         └──── srv0 198.18.0.1  srv: vmaddr serve (DHCP on srv0, virsh -c qemu:///system?socket=...)
 * </pre>
 */
@RequiresRoot
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtNetnsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final String M1 = "52:54:00:18:00:01";
    private static final String M2 = "52:54:00:18:00:02";
    private static final String GUEST_MAC = "52:54:00:18:00:99";

    private DhcpLab dhcp;
    private LibvirtLab libvirt;

    @BeforeAll
    void setUp(@TempDir Path dir) throws Exception {
        String missing = LibvirtLab.missing();
        assumeTrue(missing == null, "libvirt lab needs " + missing + " (scripts/install-test-deps)");
        dhcp = DhcpLab.create(dir, 1);
        libvirt = LibvirtLab.start(dhcp.switches().name(), dir);
        dhcp.startServer("""
                dhcp:
                  interfaces: [srv0]
                  probe: { method: none }
                libvirt: { uri: "%s", interval: 1s }
                networks:
                  - name: lan0
                    cidr: 198.18.0.0/24
                    gateway: 198.18.0.1
                    bridge: br0
                    release: on-delete
                    leaseTime: 60s
                    pools: ["198.18.0.100-198.18.0.199"]
                """.formatted(libvirt.uri()));
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (libvirt != null) {
                libvirt.close();
            }
        } finally {
            if (dhcp != null) {
                dhcp.close();
            }
        }
    }

    @Test
    @Order(1)
    void aGuestIsSyncedServedItsNicsAddressAndItsOwnMacChangeIsDriftWithinThreeIntervals() throws Exception {
        libvirt.define("g1", M1, "br0");
        JsonNode vm = await("VM g1 synced", Duration.ofSeconds(10), () -> {
            JsonNode v = vm("g1");
            return v != null ? v : null;
        });
        assertThat(vm.path("state").asText()).isEqualTo("stopped");
        JsonNode nic = vm.path("nics").get(0);
        assertThat(nic.path("name").asText()).isEqualTo("nic0");
        assertThat(nic.path("mac").asText()).isEqualTo(M1);
        assertThat(nic.path("network").asText()).isEqualTo("lan0");
        String ip = nic.path("ip").asText();
        assertThat(ip).startsWith("198.18.0.");

        libvirt.virsh("start", "g1");
        // The guest asks vmaddr's DHCP server; its agent then reports the address it was given.
        JsonNode seen = await("g1's agent reports " + ip, Duration.ofSeconds(60), () -> {
            JsonNode o = vm("g1").path("nics").get(0).path("observed");
            return "qemu-guest-agent".equals(o.path("source").asText()) && o.path("ips").toString().contains("\"" + ip + "\"") ? o : null;
        });
        assertThat(seen.path("mac").asText()).isEqualTo(M1);
        assertThat(vm("g1").path("state").asText()).isEqualTo("running");
        assertThat(dhcp.lease("lan0", ip)).isNotNull().satisfies(l -> {
            assertThat(l.get("mac")).isEqualTo(M1);
            assertThat(l.get("state")).isEqualTo("bound");
        });
        assertThat(drift("g1")).isEmpty();

        libvirt.guestExec("g1", "ip link set eth0 down; ip link set eth0 address " + GUEST_MAC + "; ip link set eth0 up");
        long changed = System.nanoTime();
        JsonNode finding = await("mac-changed-in-guest", INTERVAL.multipliedBy(3).plusSeconds(3), () ->
                drift("g1").stream().filter(f -> f.path("kind").asText().equals("mac-changed-in-guest")).findFirst().orElse(null));
        Duration took = Duration.ofNanos(System.nanoTime() - changed);
        assertThat(finding.path("expected").asText()).isEqualTo(M1);
        assertThat(finding.path("observed").asText()).isEqualTo(GUEST_MAC);
        assertThat(finding.path("fix").asText()).contains("ip link set dev eth0 address " + M1);
        // Within 3 intervals of the change (plus the virsh round trips of one pass).
        assertThat(took).isLessThan(INTERVAL.multipliedBy(3).plusSeconds(2));

        libvirt.guestExec("g1", "ip link set eth0 down; ip link set eth0 address " + M1 + "; ip link set eth0 up");
        await("drift clears after the guest undoes it", Duration.ofSeconds(10), () ->
                drift("g1").stream().noneMatch(f -> f.path("kind").asText().equals("mac-changed-in-guest")) ? true : null);
    }

    @Test
    @Order(2)
    void aPendingMacWaitsForShutdownIsWrittenIntoTheDefinitionAndTheGuestBootsWithIt() throws Exception {
        String ip = vm("g1").path("nics").get(0).path("ip").asText();
        assertThat(dhcp.api("PUT", "/api/v1/vms/g1/nics/nic0/mac", "{\"mac\":\"" + M2 + "\"}").status()).isEqualTo(200);
        Thread.sleep(INTERVAL.multipliedBy(3).toMillis());
        assertThat(libvirt.virsh("dumpxml", "--inactive", "g1")).as("never while running").contains(M1).doesNotContain(M2);
        assertThat(libvirt.virsh("dumpxml", "g1")).contains(M1);
        assertThat(drift("g1")).extracting(f -> f.path("kind").asText()).contains("pending-change");

        libvirt.virsh("destroy", "g1");
        await("the definition carries the pending MAC", Duration.ofSeconds(10), () ->
                libvirt.virsh("dumpxml", "--inactive", "g1").contains(M2) ? true : null);
        assertThat(vm("g1").path("state").asText()).isEqualTo("stopped");
        assertThat(vm("g1").path("nics").get(0).path("pendingMac").asText()).isEqualTo(M2);

        libvirt.virsh("start", "g1");
        await("the guest reports the new MAC with the NIC's address and drift is clear", Duration.ofSeconds(60), () -> {
            JsonNode n = vm("g1").path("nics").get(0);
            return n.path("mac").asText().equals(M2) && n.path("pendingMac").isNull()
                    && n.path("observed").path("mac").asText().equals(M2)
                    && n.path("observed").path("ips").toString().contains("\"" + ip + "\"")
                    && drift("g1").isEmpty() ? true : null;
        });
        assertThat(vm("g1").path("nics").get(0).path("ip").asText()).as("the address follows the NIC").isEqualTo(ip);

        // NIC hot-plug and unplug on the running domain
        String plugged = "52:54:00:18:00:31";
        libvirt.virsh("attach-interface", "g1", "bridge", "br0", "--model", "virtio", "--mac", plugged, "--live");
        JsonNode nic1 = await("the hot-plugged NIC", Duration.ofSeconds(10), () -> {
            JsonNode nics = vm("g1").path("nics");
            return nics.size() == 2 ? nics.get(1) : null;
        });
        assertThat(nic1.path("name").asText()).isEqualTo("nic1");
        assertThat(nic1.path("mac").asText()).isEqualTo(plugged);
        assertThat(nic1.path("ip").asText()).startsWith("198.18.0.").isNotEqualTo(ip);
        libvirt.virsh("detach-interface", "g1", "bridge", "--mac", plugged, "--live");
        await("the unplugged NIC gone", Duration.ofSeconds(20), () -> vm("g1").path("nics").size() == 1 ? true : null);
    }

    @Test
    @Order(3)
    void aSecondDomainWithoutMacIsClaimedApartAndUndefineReleasesIt() throws Exception {
        libvirt.define("g2", null, "br0");
        JsonNode g2 = await("VM g2 synced", Duration.ofSeconds(10), () -> vm("g2"));
        JsonNode g1 = vm("g1");
        String mac = g2.path("nics").get(0).path("mac").asText();
        String ip = g2.path("nics").get(0).path("ip").asText();
        assertThat(libvirt.virsh("dumpxml", "g2")).as("the MAC libvirt picked").contains(mac);
        assertThat(mac).isNotEqualTo(g1.path("nics").get(0).path("mac").asText());
        assertThat(ip).isNotEmpty().isNotEqualTo(g1.path("nics").get(0).path("ip").asText());

        libvirt.virsh("undefine", "g2");
        await("VM g2 removed", Duration.ofSeconds(10), () -> vm("g2") == null ? true : null);
        JsonNode macs = JSON.readTree(dhcp.api("GET", "/api/v1/macs", null).body());
        assertThat(macs.toString()).contains(mac);
        for (JsonNode m : macs.isArray() ? macs : macs.path("items")) {
            if (m.path("mac").asText().equals(mac)) {
                assertThat(m.path("state").asText()).as("on-delete: quarantined").isEqualTo("quarantined");
            }
        }
        JsonNode reservations = JSON.readTree(dhcp.api("GET", "/api/v1/networks/lan0/reservations", null).body());
        assertThat(reservations.toString()).doesNotContain("\"" + ip + "\"");
    }

    @Test
    @Order(4)
    void aGuestWithoutAgentThatSetsItsOwnMacIsSeenThroughQemusRxFilter() throws Exception {
        String own = "52:54:00:18:00:77";
        libvirt.define("g4", "52:54:00:18:00:04", "br0", false, "vmaddr.mac=" + own);
        await("VM g4 synced", Duration.ofSeconds(10), () -> vm("g4"));
        libvirt.virsh("start", "g4");
        JsonNode finding = await("mac-changed-in-guest from the rx-filter", Duration.ofSeconds(60), () ->
                drift("g4").stream().filter(f -> f.path("kind").asText().equals("mac-changed-in-guest")).findFirst().orElse(null));
        assertThat(finding.path("observed").asText()).isEqualTo(own);
        JsonNode observed = vm("g4").path("nics").get(0).path("observed");
        assertThat(observed.path("source").asText()).isEqualTo("qemu-rx-filter");
        assertThat(drift("g4")).extracting(f -> f.path("kind").asText()).as("no address to compare").doesNotContain("ip-mismatch");
        libvirt.virsh("destroy", "g4");
    }

    @Test
    @Order(5)
    void libvirtdGoneIsMeteredAndSyncResumesWhenItIsBack() throws Exception {
        libvirt.stopDaemon();
        await("vmaddr_libvirt_up 0", Duration.ofSeconds(10), () -> metric("vmaddr_libvirt_up") == 0.0 ? true : null);
        assertThat(dhcp.api("POST", "/api/v1/libvirt/sync", "{\"dryRun\":true}").status()).isEqualTo(503);
        libvirt.startDaemon();
        libvirt.define("g3", null, "br0");
        await("sync resumes", Duration.ofSeconds(15), () -> vm("g3") != null && metric("vmaddr_libvirt_up") == 1.0 ? true : null);
        assertThat(String.join("\n", dhcp.server().stderrLines()))
                .contains("event=libvirt.unreachable").contains("event=libvirt.reachable");

        JsonNode dry = JSON.readTree(dhcp.api("POST", "/api/v1/libvirt/sync", "{\"dryRun\":true}").body());
        assertThat(dry.path("dryRun").asBoolean()).isTrue();
        assertThat(dry.path("vms")).extracting(v -> v.path("action").asText()).containsOnly("unchanged");
    }

    // ---- helpers ----

    private JsonNode vm(String name) {
        DhcpLab.ApiAnswer a = dhcp.api("GET", "/api/v1/vms/" + name, null);
        if (a.status() == 404) {
            return null;
        }
        try {
            return JSON.readTree(a.body());
        } catch (Exception e) {
            throw new IllegalStateException(a.body(), e);
        }
    }

    private List<JsonNode> drift(String name) {
        try {
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(dhcp.api("GET", "/api/v1/vms/" + name + "/drift", null).body()).path("findings").forEach(out::add);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private double metric(String name) {
        String text = dhcp.serverNs().exec("curl", "-sS", "-m", "5", "http://127.0.0.1:" + DhcpLab.API_PORT + "/metrics").orThrow().stdout();
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
    }

    private <T> T await(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout + "\nconsole g1:\n" + libvirt.console("g1")
                        + "\nserver log tail:\n" + String.join("\n", tail(dhcp.server().stderrLines(), 40)));
            }
            Thread.sleep(200);
        }
    }

    private static List<String> tail(List<String> lines, int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
