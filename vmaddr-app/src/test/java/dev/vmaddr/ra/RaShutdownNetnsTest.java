package dev.vmaddr.ra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.dhcp.it.DhcpLab;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 4861 6.2.5 against a real kernel: when vmaddr stops (SIGTERM, clean shutdown) it sends a final
 * RA with router lifetime 0, and the client's kernel drops its default route through vmaddr at once
 * instead of keeping it for the 1800 s router lifetime; the SLAAC address stays (prefix lifetimes
 * are unchanged). IPv6 is on in the lab's namespaces only.
 */
@RequiresRoot
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RaShutdownNetnsTest {
    private static final String CONFIG = """
            dhcp:
              interfaces: [srv0]
              probe: { method: none, timeout: 300ms }
            networks:
              - name: lan0
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                bridge: srv0
                ipv6Prefix: 2001:db8:0:1::/64
                pools: ["198.18.0.100-198.18.0.199"]
            """;

    @Test
    void aStoppingServerMakesTheKernelDropItsDefaultRouteAtOnce(@TempDir Path dir) throws Exception {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG);
            Netns c1 = lab.client("c1", 0, "02:18:00:00:06:11");
            c1.exec("sysctl", "-qw", "net.ipv6.conf.eth0.accept_ra=1", "net.ipv6.conf.eth0.autoconf=1",
                    "net.ipv6.conf.eth0.addr_gen_mode=0").orThrow();
            String global = RaSlaacNetnsTest.awaitGlobalAddress(c1, Duration.ofSeconds(40));
            awaitDefaultRoute(c1, true, Duration.ofSeconds(20));
            assertThat(defaultRoute(c1)).contains("via fe80::").contains("dev eth0");

            long stopped = System.nanoTime();
            lab.stopServer();
            // Without the final RA the route would stay for the router lifetime (1800 s).
            awaitDefaultRoute(c1, false, Duration.ofSeconds(10));
            long tookMs = (System.nanoTime() - stopped) / 1_000_000;
            assertThat(tookMs).as("default route gone %d ms after SIGTERM", tookMs).isLessThan(10_000);
            assertThat(RaSlaacNetnsTest.awaitGlobalAddress(c1, Duration.ofSeconds(2))).isEqualTo(global);
        }
    }

    private static String defaultRoute(Netns ns) {
        return ns.exec("ip", "-6", "route", "show", "default").orThrow().stdout();
    }

    private static void awaitDefaultRoute(Netns ns, boolean present, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (defaultRoute(ns).isBlank() == present) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("default route " + (present ? "never appeared" : "still there") + " after "
                        + timeout + ": " + defaultRoute(ns));
            }
            Thread.sleep(100);
        }
    }
}
