package dev.vmaddr.testing.netns;

import dev.vmaddr.hostnet.CommandResult;
import dev.vmaddr.hostnet.CommandRunner;
import dev.vmaddr.hostnet.ProcessCommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A throw-away "hypervisor host" for connectivity and doctor tests, built on a {@link NetnsLab}:
 * namespace {@code <lab>-host} holding bridge {@code br0} (STP off, no forward delay, rp_filter off),
 * plus peer namespaces {@code <lab>-p<n>} (gateways, neighbours, DHCP servers) plugged into the
 * bridge through port {@code p<n>}. Only 198.18.0.0/15 addresses. {@link #close()} stops the servers
 * and deletes every namespace through the lab, also after a failed test.
 *
 * <p>vmaddr's code sees the host through a {@link CommandRunner} ({@link #hostRunner()}), as it would
 * see a real host.
 */
public final class BridgedHost implements AutoCloseable {
    /** Runs commands where vmaddr would: pass {@code RUNNER.inNetns(host)} to reach the lab host. */
    public static final CommandRunner RUNNER = new ProcessCommandRunner();

    /** Full name of the host namespace. */
    public final String host;
    private final NetnsLab lab;
    private final Netns hostNs;
    private final List<Path> tempDirs = new ArrayList<>();
    private int peers;

    private BridgedHost(NetnsLab lab) {
        this.lab = lab;
        this.hostNs = lab.namespace("host");
        this.host = hostNs.name();
        lab.bridge(hostNs, "br0");
        sh(host, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0");
    }

    public static BridgedHost create() {
        NetnsLab lab = NetnsLab.create();
        try {
            return new BridgedHost(lab);
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** The runner for the lab host, as vmaddr would use on a real host. */
    public CommandRunner hostRunner() {
        return RUNNER.inNetns(host);
    }

    /**
     * A namespace attached to br0 by a veth pair: {@code eth0} inside, {@link #port(int) p<n>} on the bridge.
     *
     * @param address e.g. 198.18.0.1/24, or null for none
     * @param mac     the MAC of eth0, or null for a random one
     * @return the namespace's full name
     */
    public String peer(String address, String mac) {
        int n = ++peers;
        Netns ns = lab.namespace("p" + n);
        lab.veth(hostNs, port(n), ns, "eth0");
        sh(host, "ip", "link", "set", port(n), "master", "br0");
        if (mac != null) {
            sh(ns.name(), "ip", "link", "set", "eth0", "address", mac);
        }
        if (address != null) {
            ns.exec("ip", "addr", "add", AddressPolicy.check(address), "dev", "eth0", "nodad").orThrow();
        }
        awaitOperUp(port(n));
        return ns.name();
    }

    /**
     * A new veth reaches operstate UP a moment after both ends are set up (later still on a busy
     * machine); a doctor run before that would rightly report the port as down.
     */
    private void awaitOperUp(String port) {
        for (int i = 0; i < 100; i++) {
            if (hostNs.exec("cat", "/sys/class/net/" + port + "/operstate").stdout().strip().equals("up")) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new NetnsException("port " + port + " in " + host + " did not come up within 5 s");
    }

    public String peer(String address) {
        return peer(address, null);
    }

    /** The bridge port name of peer number {@code n} (1-based). */
    public static String port(int n) {
        return "p" + n;
    }

    /** dnsmasq as a DHCP server (no DNS) on {@code eth0} of peer {@code ns}; stopped by {@link #close()}. */
    public void dnsmasq(String ns, String range, String router) {
        startDhcpServer(ns, "dnsmasq", dnsmasqCommand(tempDir("vmt-dnsmasq"), "eth0", range, router, "--no-ping"));
    }

    /**
     * dnsmasq as libvirt runs it for a network: on the host's bridge {@code br0} (which gets
     * {@code gatewayCidr}), pinging an address before its first OFFER, as libvirt's default does.
     *
     * @return the directory holding dnsmasq's {@code leases} and {@code log}
     */
    public Path dnsmasqOnBridge(String gatewayCidr, String range) {
        sh(host, "ip", "addr", "add", AddressPolicy.check(gatewayCidr), "dev", "br0");
        Path dir = tempDir("vmt-dnsmasq");
        startDhcpServer(host, "dnsmasq", dnsmasqCommand(dir, "br0", range, gatewayCidr.substring(0, gatewayCidr.indexOf('/')),
                "--dhcp-authoritative"));
        return dir;
    }

    private static List<String> dnsmasqCommand(Path dir, String iface, String range, String router, String extra) {
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground",
                "--no-resolv", "--no-hosts", "--port=0", extra, "--interface=" + iface, "--bind-interfaces",
                "--dhcp-range=" + range, "--dhcp-leasefile=" + dir.resolve("leases"),
                "--pid-file=" + dir.resolve("pid"), "--log-dhcp", "--log-facility=" + dir.resolve("log")));
        cmd.add(router == null ? "--dhcp-option=3" : "--dhcp-option=3," + router);
        return cmd;
    }

    /**
     * Kea (kea-dhcp4, memfile, raw sockets) as the DHCP server on {@code eth0} of peer {@code ns}, which holds an
     * address in {@code subnet}; stopped by {@link #close()}.
     *
     * @return the directory holding Kea's {@code leases.csv} and {@code log}
     */
    public Path kea(String ns, String subnet, String pool, String router) {
        Path dir = tempDir("vmt-kea");
        String conf = """
                {"Dhcp4": {
                  "interfaces-config": {"interfaces": ["eth0"], "dhcp-socket-type": "raw"},
                  "lease-database": {"type": "memfile", "persist": true, "name": "%s", "lfc-interval": 0},
                  "valid-lifetime": 120, "authoritative": true,
                  "subnet4": [{"id": 1, "subnet": "%s", "pools": [{"pool": "%s"}],
                               "option-data": [{"name": "routers", "data": "%s"}]}],
                  "loggers": [{"name": "kea-dhcp4", "severity": "INFO",
                               "output_options": [{"output": "%s"}]}]
                }}
                """.formatted(dir.resolve("leases.csv"), subnet, pool, router, dir.resolve("log"));
        try {
            Files.writeString(dir.resolve("kea.json"), conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startDhcpServer(ns, "kea-dhcp4", List.of("env", "KEA_LOCKFILE_DIR=" + dir, "KEA_PIDFILE_DIR=" + dir,
                "kea-dhcp4", "-c", dir.resolve("kea.json").toString()));
        return dir;
    }

    private Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            tempDirs.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a DHCP server in {@code ns} and waits (bounded, 5 s) until something listens on :67. */
    private void startDhcpServer(String ns, String what, List<String> cmd) {
        NetnsProcess p = namespace(ns).start(cmd);
        try {
            // Wait (bounded) until it listens on :67 so the first DISCOVER is not lost.
            for (int i = 0; i < 100; i++) {
                if (RUNNER.inNetns(ns).run("ss", "-lun", "sport = :67").stdout().contains(":67")) {
                    return;
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(what + " did not start in " + ns + ": " + p.describe());
    }

    /** {@code mainClass} in a child JVM in namespace {@code ns} (e.g. {@link #host}); stopped by {@link #close()}. */
    public NetnsProcess startJava(String ns, Class<?> mainClass, String... args) {
        return namespace(ns).startJava(mainClass, args);
    }

    /** Runs a command in namespace {@code ns} (full name); fails the test when it fails. */
    public CommandResult sh(String ns, String... argv) {
        CommandResult r = RUNNER.inNetns(ns).run(List.of(argv), Duration.ofSeconds(20));
        if (!r.ok()) {
            throw new IllegalStateException(r.commandLine() + " failed: " + r.stderr());
        }
        return r;
    }

    private Netns namespace(String fullName) {
        return lab.find(fullName).orElseThrow(() -> new IllegalArgumentException("not a namespace of this lab: " + fullName));
    }

    @Override
    public void close() {
        try {
            lab.close();
        } finally {
            for (Path dir : tempDirs) {
                try (var s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // temp files only
                }
            }
        }
    }
}
