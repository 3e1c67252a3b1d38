package dev.vmaddr.dhcp.it;

import dev.vmaddr.testing.netns.ExecResult;
import dev.vmaddr.testing.netns.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DHCPv6 clients in a {@link DhcpLab}: ISC {@code dhclient -6} with a hook that records each event
 * and configures the address, and dhcpcd in DHCPv6-only mode. IPv6 is on in the lab's namespaces
 * (their own sysctls); each client waits for its link-local address to leave DAD before it starts.
 */
final class Dhcp6Clients {
    private final DhcpLab lab;
    private final Path hook;
    private final AtomicInteger count = new AtomicInteger();

    Dhcp6Clients(DhcpLab lab) {
        this.lab = lab;
        try {
            Path hooks = Files.createDirectories(lab.dir().resolve("hooks6"));
            hook = hooks.resolve("dhclient6-hook.sh");
            for (String h : List.of("dhclient6-hook.sh", "dhcpcd-hook.sh")) {
                try (InputStream in = Dhcp6Clients.class.getResourceAsStream("/dhcp-clients/" + h)) {
                    Path target = hooks.resolve(h);
                    Files.copy(in, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until eth0's link-local address has passed duplicate address detection. */
    static void awaitLinkLocal(Netns ns, Duration timeout) {
        awaitLinkLocal(ns, "eth0", timeout);
    }

    /** Waits until {@code ifName}'s link-local address has passed duplicate address detection. */
    static void awaitLinkLocal(Netns ns, String ifName, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String out = ns.exec("ip", "-6", "-o", "addr", "show", "dev", ifName, "scope", "link").orThrow().stdout();
            if (out.contains("fe80:") && !out.contains("tentative")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no usable link-local address on " + ifName + " in " + ns + ": " + out);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** {@code dhclient -6} in the foreground; {@code duidType} LL or LLT. */
    DhcpClient dhclient(Netns ns, String duidType, String... confLines) {
        awaitLinkLocal(ns, Duration.ofSeconds(20));
        Path dir = clientDir("dhclient6");
        write(dir.resolve("dhclient.conf"), "timeout 30;\n" + String.join("\n", confLines) + "\n");
        return new DhcpClient(DhcpClient.Kind.DHCLIENT6, ns, dir, command(dir, duidType, false)).start();
    }

    /** {@code dhclient -6 -r}: RELEASE of the lease in the client's lease file. */
    ExecResult release(DhcpClient c, String duidType) {
        c.close();
        return c.namespace().exec(Duration.ofSeconds(30), command(c.dir(), duidType, true).toArray(String[]::new));
    }

    private List<String> command(Path dir, String duidType, boolean release) {
        List<String> cmd = new ArrayList<>(List.of("dhclient", "-6", release ? "-r" : "-d", "-v", "-D", duidType));
        Path wrapper = dir.resolve("hook.sh");
        if (!Files.exists(wrapper)) {
            write(wrapper, "#!/bin/sh\nVMT_OUT='" + dir.resolve("out") + "' exec '" + hook + "' \"$@\"\n");
            try {
                Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        cmd.addAll(List.of("-sf", wrapper.toString(), "-lf", dir.resolve("dhclient6.leases").toString(),
                "-pf", dir.resolve("dhclient6.pid").toString(), "-cf", dir.resolve("dhclient.conf").toString(), "eth0"));
        return cmd;
    }

    /**
     * dhcpcd for IPv6 only, in the foreground: it reads the RA itself and, the M flag set, asks
     * DHCPv6 for an IA_NA. Private {@code /run/dhcpcd} and {@code /var/lib/dhcpcd} (bind mounts in the
     * mount namespace {@code ip netns exec} makes), as for the IPv4 dhcpcd.
     */
    DhcpClient dhcpcd(Netns ns, String... confLines) {
        awaitLinkLocal(ns, Duration.ofSeconds(20));
        Path dir = clientDir("dhcpcd6");
        Path run = dir.resolve("run");
        Path lib = dir.resolve("lib");
        try {
            Files.createDirectories(run);
            Files.createDirectories(lib);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        write(dir.resolve("dhcpcd.conf"), "option dhcp6_name_servers, dhcp6_domain_search\nia_na 1\n" + String.join("\n", confLines) + "\n");
        Path wrapper = dir.resolve("hook.sh");
        write(wrapper, "#!/bin/sh\nVMT_OUT='" + dir.resolve("out") + "' exec '" + hook.resolveSibling("dhcpcd-hook.sh")
                + "' \"$@\"\n");
        try {
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String dhcpcd = "exec dhcpcd -B -6 -t 40 -f " + dir.resolve("dhcpcd.conf") + " -c " + wrapper
                + " --nohook resolv.conf eth0";
        String script = "mkdir -p /run/dhcpcd /var/lib/dhcpcd && mount --bind " + run + " /run/dhcpcd && mount --bind "
                + lib + " /var/lib/dhcpcd && " + dhcpcd;
        return new DhcpClient(DhcpClient.Kind.DHCPCD6, ns, dir, List.of("sh", "-c", script)).start();
    }

    private Path clientDir(String kind) {
        Path d = lab.dir().resolve("clients6").resolve(kind + "-" + count.incrementAndGet());
        try {
            Files.createDirectories(d.resolve("out"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
