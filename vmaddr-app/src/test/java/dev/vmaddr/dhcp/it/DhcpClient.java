package dev.vmaddr.dhcp.it;

import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One run of a real DHCP client (dhclient, udhcpc or dhcpcd) in its own namespace. The client's
 * hook script writes one file per event into {@link #outDir()}; {@link #events()} reads them back
 * as maps of the variables the client passed, plus {@code event}: the event name in lower case
 * ({@code bound}, {@code renew}, {@code reboot}, ...), whatever the client calls it.
 *
 * <p>Threads: used from the test thread; the client process runs on its own.
 */
public final class DhcpClient implements AutoCloseable {
    /** Which client program, with the variable that holds the leased address in its events. */
    public enum Kind {
        DHCLIENT("new_ip_address"), UDHCPC("ip"), DHCPCD("new_ip_address"),
        /** dhclient -6 and dhcpcd -6: the IA_NA address. */
        DHCLIENT6("new_ip6_address"), DHCPCD6("new_dhcp6_ia_na1_ia_addr1");

        final String ipKey;

        Kind(String ipKey) {
            this.ipKey = ipKey;
        }
    }

    private final Kind kind;
    private final Netns ns;
    private final Path dir;
    private final List<String> command;
    private NetnsProcess process;
    /** Event files an earlier run in the same directory left; not this run's. */
    private int earlierEvents;

    DhcpClient(Kind kind, Netns ns, Path dir, List<String> command) {
        this.kind = kind;
        this.ns = ns;
        this.dir = dir;
        this.command = List.copyOf(command);
    }

    DhcpClient start() {
        earlierEvents = eventFiles().size();
        process = ns.start(command);
        return this;
    }

    public Kind kind() {
        return kind;
    }

    public Netns namespace() {
        return ns;
    }

    /** The client's private directory: hook output, lease file, config. */
    public Path dir() {
        return dir;
    }

    public Path outDir() {
        return dir.resolve("out");
    }

    public NetnsProcess process() {
        return process;
    }

    private List<Path> eventFiles() {
        try (Stream<Path> files = Files.list(outDir())) {
            return files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event this run recorded so far, oldest first. */
    public List<Map<String, String>> events() {
        List<Map<String, String>> events = new ArrayList<>();
        try {
            List<Path> files = eventFiles();
            for (Path f : files.subList(Math.min(earlierEvents, files.size()), files.size())) {
                Map<String, String> vars = new LinkedHashMap<>();
                for (String line : Files.readAllLines(f)) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        vars.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
                String name = vars.containsKey("reason") ? vars.get("reason") : vars.getOrDefault("event", "?");
                vars.put("event", name.toLowerCase(Locale.ROOT));
                events.add(vars);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    /** Event names so far, e.g. {@code [preinit, bound]}. */
    public List<String> eventNames() {
        return events().stream().map(e -> e.get("event")).toList();
    }

    /** Waits for the first event (since start) named {@code event}. */
    public Map<String, String> await(String event, Duration timeout) {
        return await(e -> e.get("event").equals(event), timeout, "event " + event);
    }

    /** Waits for the first event matching {@code condition}; fails with everything the client said. */
    public Map<String, String> await(Predicate<Map<String, String>> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Map<String, String> e : events()) {
                if (condition.test(e)) {
                    return e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " from " + kind + " within " + timeout + "; events "
                        + eventNames() + "\n" + describe());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** The address the client's event carries. */
    public String ip(Map<String, String> event) {
        return event.get(kind.ipKey);
    }

    /** The client's last bound/renewed/rebooted address, or null. */
    public String boundIp() {
        String ip = null;
        for (Map<String, String> e : events()) {
            if (Set.of("bound", "renew", "rebind", "reboot", "bound6", "renew6", "rebind6", "reboot6").contains(e.get("event"))) {
                ip = ip(e);
            }
        }
        return ip;
    }

    /** Waits for the process to end by itself; returns its exit code. */
    public int waitFor(Duration timeout) {
        return process.waitFor(timeout);
    }

    public String describe() {
        return process == null ? String.join(" ", command) : process.describe();
    }

    /**
     * SIGTERM (udhcpc started with {@code -R} then releases), SIGKILL after a grace period. A
     * dhclient is first given time to write its lease file: it runs the BOUND hook before it writes
     * the lease, so a kill right after the hook (likely on a busy machine) leaves {@code dhclient -r}
     * nothing to release.
     */
    @Override
    public void close() {
        if (process != null) {
            if (kind == Kind.DHCLIENT || kind == Kind.DHCLIENT6) {
                awaitLeaseWritten(java.time.Duration.ofSeconds(10));
            }
            process.close();
        }
    }

    private void awaitLeaseWritten(java.time.Duration timeout) {
        String ip = boundIp();
        if (ip == null) {
            return;
        }
        java.nio.file.Path leases = dir.resolve(kind == Kind.DHCLIENT6 ? "dhclient6.leases" : "dhclient.leases");
        String written = kind == Kind.DHCLIENT6 ? "iaaddr " + ip + " {" : "fixed-address " + ip + ";";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (java.nio.file.Files.exists(leases) && java.nio.file.Files.readString(leases).contains(written)) {
                    return;
                }
                Thread.sleep(50);
            } catch (java.io.IOException e) {
                // being written: look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
