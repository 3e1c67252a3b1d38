package dev.vmaddr.testing.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@RequiresRoot
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NetnsLabTest {

    @Test
    void execRunsInsideTheNamespaceAndReportsExitCodeAndOutputs() {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns ns = lab.namespace("a");

            ExecResult r = ns.exec("sh", "-c", "echo out; echo err >&2; exit 3");
            String links = ns.exec("ip", "-o", "link", "show").orThrow().stdout();

            assertThat(ns.name()).matches("vmt-[0-9a-f]{6}-a").startsWith(lab.prefix());
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stdout()).isEqualTo("out\n");
            assertThat(r.stderr()).isEqualTo("err\n");
            assertThatThrownBy(r::orThrow).isInstanceOf(NetnsException.class).hasMessageContaining("exit 3");
            assertThat(links.lines()).hasSize(1).allMatch(l -> l.contains(": lo:") && l.contains("UP"));
        }
    }

    @Test
    void execGivesUpAfterItsTimeout() {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns ns = lab.namespace("a");
            long start = System.nanoTime();

            assertThatThrownBy(() -> ns.exec(Duration.ofMillis(300), "sleep", "20"))
                    .isInstanceOf(NetnsException.class).hasMessageContaining("timed out");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        }
    }

    @Test
    void bridgeConnectsNamespacesWithTheGivenAddresses() {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns sw = lab.namespace("sw");
            Bridge br = lab.bridge(sw, "br0");
            Netns a = lab.namespace("a");
            lab.connect(br, a, "eth0", "198.18.0.2/24");

            String details = sw.exec("ip", "-d", "link", "show", "br0").orThrow().stdout();
            String ports = sw.exec("ip", "-o", "link", "show", "master", "br0").orThrow().stdout();
            String addrs = a.exec("ip", "-o", "-4", "addr", "show", "dev", "eth0").orThrow().stdout();

            assertThat(details).contains("stp_state 0").contains("forward_delay 0");
            assertThat(ports.lines()).hasSize(1);
            assertThat(addrs).contains("inet 198.18.0.2/24");
            assertThat(a.ifIndex("eth0")).isPositive();
        }
    }

    @Test
    void refusesAddressesAndRoutesOutsideTheTestRanges() {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns a = lab.namespace("a");

            assertThatThrownBy(() -> a.addAddress("lo", "10.0.0.1/24")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.addAddress("lo", "198.20.0.1/24")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.addAddress("lo", "198.18.0.1/8")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.addRoute("0.0.0.0/0", "lo")).isInstanceOf(IllegalArgumentException.class);
            a.addAddress("lo", "127.0.0.2/8");
            a.addAddress("lo", "198.19.255.1/32");

            assertThat(a.exec("ip", "-o", "-4", "addr", "show", "dev", "lo").orThrow().stdout())
                    .contains("127.0.0.2/8").contains("198.19.255.1/32").doesNotContain("10.0.0.1");
        }
    }

    @Test
    void closeStopsProcessesAndDeletesEveryNamespaceEvenAfterAFailure() {
        NetnsLab lab = NetnsLab.create();
        NetnsProcess sleeper;
        try (lab) {
            lab.namespace("a");
            Netns b = lab.namespace("b");
            sleeper = b.start("sh", "-c", "echo started; exec sleep 60");
            sleeper.awaitLine("started"::equals, Duration.ofSeconds(5));
            assertThat(lab.remainingNamespaces()).containsExactlyInAnyOrder(lab.prefix() + "-a", lab.prefix() + "-b");
            throw new IllegalStateException("the test failed here");
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessage("the test failed here");
        }
        assertThat(lab.remainingNamespaces()).isEmpty();
    }

    @Test
    void startedProcessStopsOnClose() {
        try (NetnsLab lab = NetnsLab.create()) {
            NetnsProcess p = lab.namespace("a").start("sleep", "60");
            assertThat(p.isAlive()).isTrue();

            p.close();

            assertThat(p.isAlive()).isFalse();
        }
    }

    @Test
    void childJvmRunsInsideTheNamespace() {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns a = lab.namespace("a");
            a.addAddress("lo", "198.18.5.5/32");

            NetnsProcess child = a.startJava(PrintAddressesMain.class);

            assertThat(child.waitFor(Duration.ofSeconds(20))).as(child.describe()).isZero();
            assertThat(child.lines()).contains("198.18.5.5");
        }
    }

    /** Child main: prints this process's IPv4 addresses, one per line, i.e. what its namespace has. */
    public static final class PrintAddressesMain {
        public static void main(String[] args) throws Exception {
            for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                for (var addr : java.util.Collections.list(nif.getInetAddresses())) {
                    if (addr instanceof java.net.Inet4Address) {
                        System.out.println(addr.getHostAddress());
                    }
                }
            }
        }
    }
}
