package dev.vmaddr.dhcp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Bridge;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsLab;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reason the FFM transport exists, proven on real interfaces: one socket in a server namespace
 * with two interfaces on two bridges tells which interface each broadcast came in on, and sends the
 * broadcast reply back out of that interface, although the namespace has no route for
 * 255.255.255.255. Each client sits alone on its bridge, so it can only get a reply that left
 * through the right interface.
 *
 * <pre>
 *   c0:eth0 198.18.0.2 ── br0 ── srv0 198.18.0.1 (+ secondary 198.18.0.9)
 *                                  srv: EchoServerMain on FfmUdpTransport :SERVER_PORT
 *   c1:eth0 198.18.1.2 ── br1 ── srv1 198.18.1.1
 * </pre>
 */
@RequiresRoot
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FfmUdpTransportNetnsTest {
    private static final int SERVER_PORT = 10067;
    private static final int CLIENT_PORT = 10068;
    private static final Duration STARTUP = Duration.ofSeconds(20);
    // Short enough that a reply out of the wrong interface fails the test well inside its budget.
    private static final int CLIENT_WAIT_MS = 8000;

    @Test
    void broadcastRepliesLeaveThroughTheInterfaceTheRequestCameIn() {
        String prefix;
        try (NetnsLab lab = NetnsLab.create()) {
            prefix = lab.prefix();
            Netns sw = lab.namespace("sw");
            Bridge br0 = lab.bridge(sw, "br0");
            Bridge br1 = lab.bridge(sw, "br1");
            Netns srv = lab.namespace("srv");
            Netns c0 = lab.namespace("c0");
            Netns c1 = lab.namespace("c1");
            // The secondary address checks that the server identifier is the primary one.
            lab.connect(br0, srv, "srv0", "198.18.0.1/24", "198.18.0.9/24");
            lab.connect(br1, srv, "srv1", "198.18.1.1/24");
            lab.connect(br0, c0, "eth0", "198.18.0.2/24");
            lab.connect(br1, c1, "eth0", "198.18.1.2/24");
            // A client without a default route needs this to broadcast; the server deliberately has none.
            c0.addRoute("255.255.255.255/32", "eth0");
            c1.addRoute("255.255.255.255/32", "eth0");
            assertThat(srv.exec("ip", "route", "show", "table", "main").orThrow().stdout())
                    .doesNotContain("default").doesNotContain("255.255.255.255");
            int srv0 = srv.ifIndex("srv0");
            int srv1 = srv.ifIndex("srv1");
            assertThat(srv0).isNotEqualTo(srv1);

            NetnsProcess server = srv.startJava(EchoServerMain.class, String.valueOf(SERVER_PORT));
            NetnsProcess client0 = c0.startJava(UdpClientMain.class,
                    "255.255.255.255", "" + SERVER_PORT, "" + CLIENT_PORT, "ifindex-only:hello-c0", "" + CLIENT_WAIT_MS);
            NetnsProcess client1 = c1.startJava(UdpClientMain.class,
                    "255.255.255.255", "" + SERVER_PORT, "" + CLIENT_PORT, "with-hint:hello-c1", "" + CLIENT_WAIT_MS);
            server.awaitLine(l -> l.startsWith("READY"), STARTUP);

            String reply0 = client0.awaitLine(l -> l.startsWith("REPLY") || l.equals("TIMEOUT"), STARTUP);
            String reply1 = client1.awaitLine(l -> l.startsWith("REPLY") || l.equals("TIMEOUT"), STARTUP);

            assertThat(reply0).as(server.describe()).isEqualTo("REPLY from=198.18.0.1:" + SERVER_PORT
                    + " ifindex=" + srv0 + " ifname=srv0 dst=255.255.255.255 src=198.18.0.2:" + CLIENT_PORT
                    + " sid=198.18.0.1 msg=ifindex-only:hello-c0");
            assertThat(reply1).as(server.describe()).isEqualTo("REPLY from=198.18.1.1:" + SERVER_PORT
                    + " ifindex=" + srv1 + " ifname=srv1 dst=255.255.255.255 src=198.18.1.2:" + CLIENT_PORT
                    + " sid=198.18.1.1 msg=with-hint:hello-c1");

            // A unicast request (a RENEW) shows its real destination; the reply still goes out srv1.
            NetnsProcess unicast = c1.startJava(UdpClientMain.class,
                    "198.18.1.1", "" + SERVER_PORT, "" + CLIENT_PORT, "renew-c1", "" + CLIENT_WAIT_MS);
            assertThat(unicast.awaitLine(l -> l.startsWith("REPLY") || l.equals("TIMEOUT"), STARTUP))
                    .as(server.describe())
                    .isEqualTo("REPLY from=198.18.1.1:" + SERVER_PORT + " ifindex=" + srv1
                            + " ifname=srv1 dst=198.18.1.1 src=198.18.1.2:" + CLIENT_PORT
                            + " sid=198.18.1.1 msg=renew-c1");
        }
        assertThat(NetnsLab.listNamespaces()).noneMatch(n -> n.startsWith(prefix));
    }
}
