package dev.vmaddr.dhcp.server;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.protocol.ConflictProbe;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Conflict probe by ARP request, for hosts that drop ICMP echo. It runs the system's {@code arping}
 * (one request on the receiving interface) rather than a packet socket of our own: ARP probes are
 * rare (only before an address is first offered) and arping is the tool operators already trust.
 * The process is waited for on a virtual thread, so a probe never blocks other clients. Relayed
 * requests have no local interface on the client's link; for them the ICMP probe is used.
 */
public final class ArpingConflictProbe implements ConflictProbe {
    private final Duration timeout;
    private final ConflictProbe forRelayed;

    public ArpingConflictProbe(Duration timeout, ConflictProbe forRelayed) {
        this.timeout = timeout;
        this.forRelayed = forRelayed;
    }

    /** The neighbour table is the same whichever probe asked: the ICMP probe reads it. */
    @Override
    public java.util.Optional<dev.vmaddr.addr.MacAddress> answeredBy(Ipv4Address ip) {
        return forRelayed.answeredBy(ip);
    }

    @Override
    public CompletableFuture<Boolean> inUse(String networkInterface, Ipv4Address ip) {
        if (networkInterface == null) {
            return forRelayed.inUse(null, ip);
        }
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        List<String> command = List.of("arping", "-q", "-c", "1", "-w", Long.toString(seconds), "-I", networkInterface,
                ip.toString());
        Thread.ofVirtual().name("arping-" + ip).start(() -> {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(seconds + 2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    answer.complete(false);
                    return;
                }
                // arping exits 0 when a reply came back, non-zero when none did.
                answer.complete(p.exitValue() == 0);
            } catch (IOException e) {
                answer.completeExceptionally(new IOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer.complete(false);
            }
        });
        return answer;
    }
}
