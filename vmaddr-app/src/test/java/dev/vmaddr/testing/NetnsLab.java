package dev.vmaddr.testing;

import dev.vmaddr.hostnet.CommandResult;
import dev.vmaddr.hostnet.CommandRunner;
import dev.vmaddr.hostnet.ProcessCommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A throw-away "host" for connectivity and doctor tests: namespace {@code vmt-<tag><n>} with bridge
 * {@code br0} (STP off, no forward delay), plus helper namespaces for gateways, peers and DHCP servers
 * attached to the bridge by veth pairs. Only 198.18.0.0/15 addresses. {@link #close()} kills the
 * servers and deletes every namespace it made, also after a failed test.
 */
public final class NetnsLab implements AutoCloseable {
    public static final CommandRunner RUNNER = new ProcessCommandRunner();

    public final String host;
    private final String id;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private int peers;

    public NetnsLab(String tag) {
        id = tag + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        host = "vmt-" + id;
        try {
            addNamespace(host);
            sh(host, "ip", "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0");
            sh(host, "ip", "link", "set", "br0", "up");
            sh(host, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The runner for the lab host, as vmaddr would use on a real host. */
    public CommandRunner hostRunner() {
        return RUNNER.inNetns(host);
    }

    private void addNamespace(String ns) {
        must(RUNNER.run("ip", "netns", "add", ns));
        namespaces.add(ns);
        sh(ns, "ip", "link", "set", "lo", "up");
    }

    /**
     * A namespace attached to br0 by a veth pair: {@code eth0} inside, {@code p<n>} on the bridge.
     *
     * @param address e.g. 198.18.0.1/24, or null for none
     * @return the namespace name
     */
    public String peer(String address, String mac) {
        int n = ++peers;
        String ns = host + "-p" + n;
        addNamespace(ns);
        sh(host, "ip", "link", "add", "p" + n, "type", "veth", "peer", "name", "eth0", "netns", ns);
        sh(host, "ip", "link", "set", "p" + n, "master", "br0", "up");
        if (mac != null) {
            sh(ns, "ip", "link", "set", "eth0", "address", mac);
        }
        sh(ns, "ip", "link", "set", "eth0", "up");
        if (address != null) {
            sh(ns, "ip", "addr", "add", address, "dev", "eth0", "nodad");
        }
        return ns;
    }

    public String peer(String address) {
        return peer(address, null);
    }

    /** The bridge port name of peer number {@code n} (1-based). */
    public static String port(int n) {
        return "p" + n;
    }

    /** dnsmasq as a DHCP server (no DNS) on {@code eth0} of {@code ns}. */
    public void dnsmasq(String ns, String range, String router) {
        try {
            Path dir = Files.createTempDirectory("vmt-dnsmasq");
            files.add(dir);
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "dnsmasq", "--keep-in-foreground",
                    "--no-resolv", "--no-hosts", "--port=0", "--no-ping", "--interface=eth0", "--bind-interfaces",
                    "--dhcp-range=" + range, "--dhcp-leasefile=" + dir.resolve("leases"),
                    "--pid-file=" + dir.resolve("pid"), "--log-facility=" + dir.resolve("log")));
            cmd.add(router == null ? "--dhcp-option=3" : "--dhcp-option=3," + router);
            processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start());
            // Wait (bounded) until it listens on :67 so the first DISCOVER is not lost.
            for (int i = 0; i < 50; i++) {
                if (RUNNER.inNetns(ns).run("ss", "-lun", "sport = :67").stdout().contains(":67")) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("dnsmasq did not start in " + ns + ": " + Files.readString(dir.resolve("out")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public CommandResult sh(String ns, String... argv) {
        return must(RUNNER.inNetns(ns).run(List.of(argv), Duration.ofSeconds(20)));
    }

    private static CommandResult must(CommandResult r) {
        if (!r.ok()) {
            throw new IllegalStateException(r.commandLine() + " failed: " + r.stderr());
        }
        return r;
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
            try {
                if (!p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            RUNNER.run("ip", "netns", "del", namespaces.get(i));
        }
        for (Path dir : files) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp files only
            }
        }
    }
}
