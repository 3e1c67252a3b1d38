package dev.vmaddr.cni.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MAC of {@code CNI_IFNAME} inside {@code CNI_NETNS}, for a call that names no MAC. The main
 * plugin has created the interface in the pod's namespace before it execs IPAM. Reading it needs
 * that namespace: /sys shows the namespace it was mounted in, and a JVM thread cannot setns without
 * native code, so {@code nsenter --net=NETNS ip -o link show dev IF} reads it (netlink follows the
 * process's namespace). Only this path starts a process; Multus and the capability paths pass the
 * MAC in the config or CNI_ARGS.
 *
 * <p>Some main plugins (ptp, measured with 1.1.1) exec IPAM before they create the interface.
 * Then there is no MAC to read, and the lease is recorded for one derived from the container id
 * and interface name: locally administered, stable across a repeated ADD, and never a real NIC's.
 */
final class InterfaceMac {
    private static final Pattern ETHER = Pattern.compile("link/ether ([0-9a-f]{2}(?::[0-9a-f]{2}){5})");

    private InterfaceMac() {}

    /** The interface's MAC, or {@link #derived} when the interface does not exist (yet). */
    static String read(String netns, String ifname, String containerId) throws CniError {
        if (netns == null || netns.isBlank()) {
            throw new CniError(CniError.INVALID_ENV, "no MAC in runtimeConfig or CNI_ARGS and no CNI_NETNS to read "
                    + ifname + "'s own MAC from");
        }
        Process p;
        try {
            p = new ProcessBuilder(tool("nsenter"), "--net=" + netns, tool("ip"), "-o", "link", "show", "dev", ifname)
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                throw new CniError(CniError.IO_FAILURE, "reading the MAC of " + ifname + " in " + netns + " took over 5 s");
            }
            if (p.exitValue() != 0 && text.contains("does not exist")) {
                return derived(containerId, ifname);
            }
            if (p.exitValue() != 0) {
                throw new CniError(CniError.IO_FAILURE, "cannot read the MAC of " + ifname + " in " + netns + ": " + text.strip());
            }
            Matcher m = ETHER.matcher(text);
            if (!m.find()) {
                throw new CniError(CniError.IO_FAILURE, ifname + " in " + netns + " has no Ethernet address: " + text.strip());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot run nsenter/ip to read the MAC of " + ifname + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniError(CniError.IO_FAILURE, "interrupted reading the MAC of " + ifname);
        }
    }

    /** 02:xx:xx:xx:xx:xx from FNV-1a over "container/ifname": locally administered, unicast. */
    static String derived(String containerId, String ifname) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (containerId + "/" + ifname).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return String.format("02:%02x:%02x:%02x:%02x:%02x", (h >>> 32) & 0xff, (h >>> 24) & 0xff, (h >>> 16) & 0xff,
                (h >>> 8) & 0xff, h & 0xff);
    }

    /** Runtimes exec plugins with a minimal PATH: look in the sbin/bin directories first. */
    private static String tool(String name) {
        for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return name;
    }
}
