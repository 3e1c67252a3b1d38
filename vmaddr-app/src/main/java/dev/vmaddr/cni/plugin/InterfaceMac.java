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
 */
final class InterfaceMac {
    private static final Pattern ETHER = Pattern.compile("link/ether ([0-9a-f]{2}(?::[0-9a-f]{2}){5})");

    private InterfaceMac() {}

    static String read(String netns, String ifname) throws CniError {
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
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
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
