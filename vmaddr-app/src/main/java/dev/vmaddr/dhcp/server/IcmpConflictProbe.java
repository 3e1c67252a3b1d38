package dev.vmaddr.dhcp.server;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.protocol.ConflictProbe;
import dev.vmaddr.dhcp.transport.IcmpEchoSocket;
import dev.vmaddr.log.LogEvents;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conflict probe by ICMP echo (like Kea's ping-check and dnsmasq), without dnsmasq's flaw of
 * blocking every client while it waits: a probe is a future completed by one receiver thread when
 * the echo reply arrives, or with {@code false} when {@code timeout} plus {@link #LATE_REPLY_WINDOW}
 * passes. The caller stops waiting at {@code timeout}; a reply in the window after it is a late
 * answer, still reported (true), so the address is quarantined after the offer instead of staying
 * with the client while a squatter uses it.
 *
 * <p>Threads: {@link #inUse} from any thread (registers the pending probe, then sends); one daemon
 * thread receives replies and completes the matching future. Pending probes are keyed by target
 * and sequence number, so a late reply to an old probe never answers a new one.
 */
public final class IcmpConflictProbe implements ConflictProbe, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IcmpConflictProbe.class);

    private record Key(Ipv4Address target, int sequence) {}

    /**
     * How long after the timeout a reply still counts. A busy host (both cores loaded in CI) delayed
     * replies past 300 ms; seconds is what a loaded squatter or a slow link takes. Bounded, since each
     * probe in the window holds a map entry.
     */
    static final Duration LATE_REPLY_WINDOW = Duration.ofSeconds(3);

    private final IcmpEchoSocket socket;
    private final Duration timeout;
    private final int identifier;
    private final AtomicInteger sequence = new AtomicInteger();
    private final ConcurrentHashMap<Key, CompletableFuture<Boolean>> pending = new ConcurrentHashMap<>();
    private final Thread receiver;

    public IcmpConflictProbe(IcmpEchoSocket socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
        this.identifier = (int) (ProcessHandle.current().pid() & 0xFFFF);
        this.receiver = Thread.ofPlatform().name("icmp-probe-receiver").daemon().start(this::receiveLoop);
    }

    public static IcmpConflictProbe open(Duration timeout) throws IOException {
        return new IcmpConflictProbe(IcmpEchoSocket.open(), timeout);
    }

    @Override
    public CompletableFuture<Boolean> inUse(String networkInterface, Ipv4Address ip) {
        Key key = new Key(ip, sequence.incrementAndGet() & 0xFFFF);
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        pending.put(key, answer);
        answer.completeOnTimeout(false, timeout.plus(LATE_REPLY_WINDOW).toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((inUse, error) -> pending.remove(key, answer));
        try {
            socket.send(ip, identifier, key.sequence());
        } catch (IOException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    private void receiveLoop() {
        while (true) {
            IcmpEchoSocket.EchoReply reply;
            try {
                reply = socket.receive();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn(LogEvents.PROBE_RECEIVE_FAILED + " error=\"{}\"", e.getMessage());
                continue;
            }
            if (reply.identifier() != identifier) {
                continue;
            }
            CompletableFuture<Boolean> answer = pending.remove(new Key(reply.from(), reply.sequence()));
            if (answer != null) {
                answer.complete(true);
            }
        }
    }

    /** From {@code /proc/net/arp} (this namespace's neighbour table): read only for a late answer, which is rare. */
    @Override
    public Optional<MacAddress> answeredBy(Ipv4Address ip) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/arp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].equals(ip.toString()) && !f[3].equals("00:00:00:00:00:00")) {
                    return Optional.of(MacAddress.parse(f[3]));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug(LogEvents.PROBE_NEIGHBOUR_UNKNOWN + " ip={} error=\"{}\"", ip, e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        pending.values().forEach(f -> f.complete(false));
        try {
            receiver.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
