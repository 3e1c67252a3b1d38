package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 4: renewal at T1 (unicast RENEWING, the client's RENEW event, same address) with dhclient
 * and udhcpc; INIT-REBOOT with dhclient's lease file: ACK for its own lease, NAK for an address of
 * another network, after which the client starts over with DISCOVER.
 */
@RequiresRoot
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RenewRebootNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CONFIG = DhcpLab.lan0().times("12s", "3s", "10s").yaml();

    @Test
    void clientsRenewAtT1AndKeepTheirAddress(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG);
            DhcpClient dhclient = lab.dhclient(lab.client("c1", 0, "02:18:00:00:02:01"));
            DhcpClient udhcpc = lab.udhcpc(lab.client("c2", 0, "02:18:00:00:02:02"));

            String d = dhclient.ip(dhclient.await("bound", WAIT));
            String u = udhcpc.ip(udhcpc.await("bound", WAIT));
            Map<String, String> dRenew = dhclient.await("renew", WAIT);
            Map<String, String> uRenew = udhcpc.await("renew", WAIT);

            assertThat(dRenew).containsEntry("new_ip_address", d).containsEntry("old_ip_address", d)
                    .containsEntry("new_dhcp_lease_time", "12");
            assertThat(uRenew).containsEntry("ip", u).containsEntry("lease", "12");
            // Renewed past the first expiry: the server still lists both as bound to them.
            FirstLeaseNetnsTest.assertLease(lab, d, "02:18:00:00:02:01", null);
            FirstLeaseNetnsTest.assertLease(lab, u, "02:18:00:00:02:02", "01021800000202");
            assertThat(lab.server().stderrLines()).anyMatch(l -> l.contains("event=lease.renewed") && l.contains("ip=" + d));
        }
    }

    @Test
    void initRebootGetsTheSameAddressOrANakForAWrongOne(@TempDir Path dir) throws IOException {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(DhcpLab.lan0().times("600s", "300s", "500s").yaml());
            Netns c1 = lab.client("c1", 0, "02:18:00:00:02:11");
            DhcpClient first = lab.dhclient(c1);
            String ip = first.ip(first.await("bound", WAIT));
            first.close(); // SIGTERM: dhclient exits without a RELEASE; its lease file stays

            DhcpClient again = lab.dhclientAgain(first);
            Map<String, String> reboot = again.await(e -> !e.get("event").equals("preinit"), WAIT, "first event after PREINIT");

            assertThat(reboot).as(again.describe()).containsEntry("event", "reboot").containsEntry("new_ip_address", ip);
            again.close();

            // A lease file naming an address of another network: the server NAKs, the client discovers.
            Netns c2 = lab.client("c2", 0, "02:18:00:00:02:12");
            DhcpClient wrong = lab.dhclientPrepared(c2, """
                    lease {
                      interface "eth0";
                      fixed-address 198.18.1.50;
                      option subnet-mask 255.255.255.0;
                      option dhcp-server-identifier 198.18.1.1;
                      option dhcp-lease-time 600;
                      renew never;
                      rebind never;
                      expire never;
                    }
                    """);
            Map<String, String> bound = wrong.await("bound", WAIT);

            assertThat(bound.get("new_ip_address")).startsWith("198.18.0.1");
            assertThat(wrong.process().stderr()).contains("DHCPREQUEST for 198.18.1.50").contains("DHCPNAK")
                    .contains("DHCPDISCOVER");
            FirstLeaseNetnsTest.assertLease(lab, bound.get("new_ip_address"), "02:18:00:00:02:12", null);
            assertThat(lab.server().stderrLines()).anyMatch(l -> l.contains("198.18.1.50") && l.toLowerCase().contains("nak"));
        }
    }
}
