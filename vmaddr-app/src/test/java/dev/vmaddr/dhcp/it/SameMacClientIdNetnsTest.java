package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 1: one machine, one MAC, several DHCP clients in turn, each with its own idea of a
 * client-id: ISC dhclient sends none (like PXE firmware), busybox udhcpc sends {@code 01}+MAC, dhcpcd
 * with {@code duid} sends an RFC 4361 one ({@code ff}+IAID+DUID). The reservation by MAC is that
 * MAC's whatever it sends, and so is a VM NIC's address; the earlier client's lease is taken over
 * (each client is stopped without a RELEASE, as a machine that reboots into its OS), never kept beside
 * it: the MAC has one bound lease in the network after every step.
 */
@RequiresRoot
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SameMacClientIdNetnsTest {
    private static final Duration LEASE_WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = DhcpLab.lan0().networkLine("reservations:")
            .networkLine("  - { mac: \"02:18:aa:00:00:50\", ip: 198.18.0.50, hostname: db1 }").yaml();

    @Test
    void reservedMacGetsItsAddressFromDhclientThenUdhcpcThenDhcpcd(@TempDir Path dir) {
        String mac = "02:18:aa:00:00:50";
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG);
            Netns host = lab.client("r1", 0, mac);

            DhcpClient dhclient = lab.dhclient(host);
            assertThat(dhclient.ip(dhclient.await("bound", LEASE_WAIT))).isEqualTo("198.18.0.50");
            stopWithoutRelease(dhclient, host);
            assertOneBoundLease(lab, mac, "198.18.0.50", null);

            DhcpClient udhcpc = lab.udhcpc(host);
            Map<String, String> u = udhcpc.await("bound", LEASE_WAIT);
            assertThat(u).containsEntry("ip", "198.18.0.50").containsEntry("opt61", "010218aa000050");
            stopWithoutRelease(udhcpc, host);
            assertOneBoundLease(lab, mac, "198.18.0.50", "010218aa000050");

            DhcpClient dhcpcd = lab.dhcpcd(host, List.of("noarp", "duid"));
            assertThat(dhcpcd.ip(dhcpcd.await("bound", LEASE_WAIT))).isEqualTo("198.18.0.50");
            Map<String, Object> lease = oneBoundLease(lab, mac, "198.18.0.50");
            assertThat((String) lease.get("clientId")).as("dhcpcd's RFC 4361 client-id").startsWith("ff");
            stopWithoutRelease(dhcpcd, host);

            // and back to the firmware, which sends no client-id
            DhcpClient again = lab.dhclient(host);
            assertThat(again.ip(again.await("bound", LEASE_WAIT))).isEqualTo("198.18.0.50");
            assertOneBoundLease(lab, mac, "198.18.0.50", null);
            again.close();
        }
    }

    @Test
    void vmNicMacGetsTheNicsAddressWithAndWithoutClientId(@TempDir Path dir) throws Exception {
        String mac = "02:18:aa:00:00:60";
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG);
            JsonNode vm = JSON.readTree(lab.apiOk("POST", "/api/v1/vms",
                    "{\"name\":\"g1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"lan0\",\"mac\":\"" + mac + "\"}]}"));
            String nicIp = vm.get("nics").get(0).get("ip").asText();
            assertThat(nicIp).startsWith("198.18.0.");
            Netns guest = lab.client("g1", 0, mac);

            DhcpClient udhcpc = lab.udhcpc(guest);
            assertThat(udhcpc.await("bound", LEASE_WAIT)).containsEntry("ip", nicIp).containsEntry("opt61", "010218aa000060");
            stopWithoutRelease(udhcpc, guest);
            assertOneBoundLease(lab, mac, nicIp, "010218aa000060");

            DhcpClient dhclient = lab.dhclient(guest);
            assertThat(dhclient.ip(dhclient.await("bound", LEASE_WAIT))).isEqualTo(nicIp);
            assertOneBoundLease(lab, mac, nicIp, null);
            dhclient.close();

            JsonNode shown = JSON.readTree(lab.apiOk("GET", "/api/v1/vms/g1", null));
            assertThat(shown.get("nics").get(0).get("ip").asText()).isEqualTo(nicIp);
        }
    }

    /** SIGKILL (udhcpc would release on SIGTERM), then the address off the interface: a reboot. */
    private static void stopWithoutRelease(DhcpClient client, Netns ns) {
        client.process().kill();
        client.waitFor(Duration.ofSeconds(10));
        ns.exec("ip", "addr", "flush", "dev", "eth0").orThrow();
    }

    /** The MAC's only bound lease in lan0 is {@code ip}, with {@code clientId} (null: sent none). */
    private static void assertOneBoundLease(DhcpLab lab, String mac, String ip, String clientId) {
        assertThat(oneBoundLease(lab, mac, ip)).containsEntry("clientId", clientId);
    }

    private static Map<String, Object> oneBoundLease(DhcpLab lab, String mac, String ip) {
        List<Map<String, Object>> bound = lab.leases("lan0").stream()
                .filter(l -> mac.equals(l.get("mac")) && "bound".equals(l.get("state"))).toList();
        assertThat(bound).as("bound leases of " + mac).hasSize(1);
        assertThat(bound.getFirst()).containsEntry("ip", ip);
        return bound.getFirst();
    }
}
