package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 4: the first lease, with every option the network configures, as dhclient, udhcpc and
 * dhcpcd see it; and MAC reservations, for a client without a client-id (dhclient) and one that
 * sends 01:MAC (udhcpc). All five clients run at once against one server.
 */
@RequiresRoot
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FirstLeaseNetnsTest {
    private static final Duration LEASE_WAIT = Duration.ofSeconds(30);
    static final String CONFIG = DhcpLab.lan0().times("600s", "250s", "500s")
            .networkLine("dns: [198.18.0.53, 198.18.0.54]").networkLine("domain: lab.example").networkLine("mtu: 1400")
            .networkLine("reservations:")
            .networkLine("  - { mac: \"02:18:aa:00:00:50\", ip: 198.18.0.50, hostname: db1 }")
            .networkLine("  - { mac: \"02:18:aa:00:00:51\", ip: 198.18.0.51, hostname: db2 }").yaml();

    @Test
    void everyClientGetsItsLeaseWithEveryConfiguredOption(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG);
            Netns c1 = lab.client("c1", 0, "02:18:00:00:01:01");
            Netns c2 = lab.client("c2", 0, "02:18:00:00:01:02");
            Netns c3 = lab.client("c3", 0, "02:18:00:00:01:03");
            Netns r1 = lab.client("r1", 0, "02:18:aa:00:00:50");
            Netns r2 = lab.client("r2", 0, "02:18:aa:00:00:51");

            DhcpClient dhclient = lab.dhclient(c1, "send host-name \"vm-one\";");
            DhcpClient udhcpc = lab.udhcpc(c2, "-x", "hostname:vm-two");
            // No ARP probe of the offered address here: it costs 5 s and the decline test covers it.
            DhcpClient dhcpcd = lab.dhcpcd(c3, List.of("hostname vm-three", "noarp"));
            DhcpClient reservedDhclient = lab.dhclient(r1);
            DhcpClient reservedUdhcpc = lab.udhcpc(r2);

            Map<String, String> d = dhclient.await("bound", LEASE_WAIT);
            Map<String, String> u = udhcpc.await("bound", LEASE_WAIT);
            Map<String, String> p = dhcpcd.await("bound", LEASE_WAIT);
            Map<String, String> rd = reservedDhclient.await("bound", LEASE_WAIT);
            Map<String, String> ru = reservedUdhcpc.await("bound", LEASE_WAIT);

            // ISC dhclient: every option by its dhclient-script name.
            assertThat(d.get("new_ip_address")).startsWith("198.18.0.1");
            assertThat(d).containsEntry("new_subnet_mask", "255.255.255.0")
                    .containsEntry("new_routers", "198.18.0.1")
                    .containsEntry("new_domain_name_servers", "198.18.0.53 198.18.0.54")
                    .containsEntry("new_host_name", "vm-one")
                    .containsEntry("new_domain_name", "lab.example")
                    .containsEntry("new_interface_mtu", "1400")
                    .containsEntry("new_broadcast_address", "198.18.0.255")
                    .containsEntry("new_dhcp_lease_time", "600")
                    .containsEntry("new_dhcp_server_identifier", "198.18.0.1")
                    .containsEntry("new_dhcp_renewal_time", "250")
                    .containsEntry("new_dhcp_rebinding_time", "500")
                    .containsEntry("new_rfc3442_classless_static_routes", "0 198 18 0 1");
            // busybox udhcpc: its own names; T1/T2 only raw (opt58/opt59, hex seconds).
            assertThat(u.get("ip")).startsWith("198.18.0.1");
            assertThat(u).containsEntry("subnet", "255.255.255.0")
                    .containsEntry("router", "198.18.0.1")
                    .containsEntry("dns", "198.18.0.53 198.18.0.54")
                    .containsEntry("hostname", "vm-two")
                    .containsEntry("domain", "lab.example")
                    .containsEntry("mtu", "1400")
                    .containsEntry("broadcast", "198.18.0.255")
                    .containsEntry("lease", "600")
                    .containsEntry("serverid", "198.18.0.1")
                    .containsEntry("opt58", "000000fa")
                    .containsEntry("opt59", "000001f4")
                    .containsEntry("staticroutes", "0.0.0.0/0 198.18.0.1");
            // dhcpcd.
            assertThat(p.get("new_ip_address")).startsWith("198.18.0.1");
            assertThat(p).containsEntry("new_subnet_mask", "255.255.255.0")
                    .containsEntry("new_routers", "198.18.0.1")
                    .containsEntry("new_domain_name_servers", "198.18.0.53 198.18.0.54")
                    .containsEntry("new_host_name", "vm-three")
                    .containsEntry("new_domain_name", "lab.example")
                    .containsEntry("new_interface_mtu", "1400")
                    .containsEntry("new_broadcast_address", "198.18.0.255")
                    .containsEntry("new_dhcp_lease_time", "600")
                    .containsEntry("new_dhcp_server_identifier", "198.18.0.1")
                    .containsEntry("new_dhcp_renewal_time", "250")
                    .containsEntry("new_dhcp_rebinding_time", "500")
                    .containsEntry("new_classless_static_routes", "0.0.0.0/0 198.18.0.1");
            assertThat(List.of(dhclient.ip(d), udhcpc.ip(u), dhcpcd.ip(p))).doesNotHaveDuplicates();

            // Reservations: the reserved address and name, with no client-id (dhclient) and with 01:MAC (udhcpc).
            assertThat(rd).containsEntry("new_ip_address", "198.18.0.50").containsEntry("new_host_name", "db1");
            assertThat(ru).containsEntry("ip", "198.18.0.51").containsEntry("hostname", "db2")
                    .containsEntry("opt61", "010218aa000051");

            // The server's view agrees, and each client configured its address in its own namespace.
            assertLease(lab, dhclient.ip(d), "02:18:00:00:01:01", null);
            assertLease(lab, udhcpc.ip(u), "02:18:00:00:01:02", "01021800000102");
            assertLease(lab, dhcpcd.ip(p), "02:18:00:00:01:03", null);
            assertLease(lab, "198.18.0.50", "02:18:aa:00:00:50", null);
            assertLease(lab, "198.18.0.51", "02:18:aa:00:00:51", "010218aa000051");
            assertThat(c1.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0").orThrow().stdout())
                    .contains("inet " + dhclient.ip(d) + "/24");
            assertThat(r2.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0").orThrow().stdout())
                    .contains("inet 198.18.0.51/24");
        }
    }

    static void assertLease(DhcpLab lab, String ip, String mac, String clientId) {
        Map<String, Object> lease = lab.lease("lan0", ip);
        assertThat(lease).as("lease of " + ip).isNotNull()
                .containsEntry("mac", mac).containsEntry("state", "bound").containsEntry("clientId", clientId);
    }
}
