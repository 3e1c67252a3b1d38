package dev.vmaddr.dhcp.it;

import dev.vmaddr.testing.netns.Netns;
import java.time.Duration;

/** Waiting for an address the kernel configures by itself (SLAAC) in a client namespace. */
final class RaSlaac {
    private RaSlaac() {}

    /** True once {@code cidr} is on eth0 and past DAD; false after {@code timeout}. */
    static boolean awaitGlobal(Netns ns, String cidr, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String out = ns.exec("ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global").orThrow().stdout();
            for (String line : out.split("\n")) {
                if (line.contains("inet6 " + cidr + " ") && !line.contains("tentative")) {
                    return true;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
