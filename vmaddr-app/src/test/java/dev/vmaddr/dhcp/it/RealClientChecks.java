package dev.vmaddr.dhcp.it;

import static dev.vmaddr.dhcp.it.RealClientLab.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.netns.Netns;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What each {@link RealClientLab} scenario does with its real client and checks on the server. */
final class RealClientChecks {
    private RealClientChecks() {
    }

    /** The client binds {@code ip}; the server's one bound lease of the MAC is it, with the client-id (prefix) given. */
    static void boundTo(DhcpLab lab, Netns ns, DhcpClient client, String mac, String ip, String clientIdPrefix) {
        try {
            assertThat(client.ip(client.await("bound", WAIT))).as(client.describe()).isEqualTo(ip);
            Map<String, Object> lease = oneBoundLease(lab, mac);
            assertThat(lease).containsEntry("ip", ip);
            if (clientIdPrefix == null) {
                assertThat(lease.get("clientId")).isNull();
            } else {
                assertThat((String) lease.get("clientId")).startsWith(clientIdPrefix);
            }
        } finally {
            stopWithoutRelease(client);
        }
    }

    /**
     * The PXE-then-OS case: dhclient (no client-id), udhcpc (01+MAC), dhcpcd (DUID) in turn on one MAC,
     * each stopped without a RELEASE: each gets the same address ({@code ip}, or the first one's when
     * null), and the MAC never has two bound leases.
     */
    static void sameMacThreeClients(DhcpLab lab, Netns ns, String mac, String ip) {
        String expected = ip;
        for (int step = 0; step < 3; step++) {
            DhcpClient c = switch (step) {
                case 0 -> lab.dhclient(ns);
                case 1 -> lab.udhcpc(ns);
                default -> lab.dhcpcd(ns, List.of("noarp", "duid"));
            };
            try {
                String got = c.ip(c.await("bound", WAIT));
                if (expected == null) {
                    expected = got;
                }
                assertThat(got).as("step %d (%s)", step, c.kind()).isEqualTo(expected);
                assertThat(oneBoundLease(lab, mac)).containsEntry("ip", expected);
            } finally {
                stopWithoutRelease(c);
                reset(ns);
            }
        }
    }

    /** Bound, then renewed at T1 (3 s) with the same address; the server lists it bound to the MAC. */
    static void renews(DhcpLab lab, Netns ns, DhcpClient client, String mac) {
        try {
            String ip = client.ip(client.await("bound", WAIT));
            Map<String, String> renew = client.await("renew", WAIT);
            assertThat(client.ip(renew)).as(client.describe()).isEqualTo(ip);
            assertThat(oneBoundLease(lab, mac)).containsEntry("ip", ip);
        } finally {
            stopWithoutRelease(client);
        }
    }

    /** Bound, then released the client's own way: the server's lease of the address becomes released. */
    static void releases(DhcpLab lab, Netns ns, DhcpClient client, String mac) {
        try {
            String ip = client.ip(client.await("bound", WAIT));
            switch (client.kind()) {
                case DHCLIENT -> {
                    client.close(); // SIGTERM: no release; its lease file stays for dhclient -r
                    lab.dhclientRelease(client).orThrow();
                }
                case UDHCPC -> ns.exec("kill", "-USR2", Long.toString(client.process().pid())).orThrow();
                case DHCPCD -> client.close(); // SIGTERM; its config says "release"
            }
            Map<String, Object> lease = lab.awaitLeaseState("lan0", ip, "released", WAIT);
            assertThat(lease).containsEntry("mac", mac);
        } finally {
            stopWithoutRelease(client);
        }
    }

    /**
     * The MAC's only bound lease in lan0 (never two: PRODUCT.md part 5). A lease whose time ran out
     * still says {@code bound} until the reclaimer marks it (a client killed in the previous round
     * more than the 12 s lease time ago): it holds nothing, so it is not counted.
     */
    static Map<String, Object> oneBoundLease(DhcpLab lab, String mac) {
        Instant now = Instant.now(); // the server runs on this host: the same clock
        List<Map<String, Object>> bound = lab.leases("lan0").stream()
                .filter(l -> mac.equals(l.get("mac")) && "bound".equals(l.get("state"))
                        && Instant.parse((String) l.get("expiresAt")).isAfter(now)).toList();
        assertThat(bound).as("bound leases of " + mac).hasSize(1);
        return bound.getFirst();
    }

    /** SIGKILL: udhcpc would release on SIGTERM, and a machine that reboots sends nothing. */
    static void stopWithoutRelease(DhcpClient client) {
        if (client.process() != null && client.process().isAlive()) {
            client.process().kill();
            client.waitFor(Duration.ofSeconds(10));
        }
    }

    /** The address off the interface, as after a reboot. */
    static void reset(Netns ns) {
        ns.exec("ip", "addr", "flush", "dev", "eth0");
    }
}
