package dev.vmaddr.connectivity;

import dev.vmaddr.hostnet.CommandRunner;
import dev.vmaddr.log.LogEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probe namespaces are named {@code <base><pid>-<random>} after the server that made them. A server
 * killed in the middle of a check (kill -9, power cut) leaves its namespace behind; the next server
 * to start deletes every one whose process is gone. Namespaces of live servers are left alone, so
 * several servers on one host do not break each other's checks.
 */
public final class StaleProbeNamespaces {
    private static final Logger LOG = LoggerFactory.getLogger(StaleProbeNamespaces.class);
    private static final Path NETNS_DIR = Path.of("/run/netns");

    /** What every vmaddr process (server checks, doctor) names its probe namespaces with. */
    public static final String BASE = "vmaddr-probe-";

    private StaleProbeNamespaces() {}

    /** The prefix for this process's probe namespaces: {@code <base><pid>-}. */
    public static String prefixFor(String base) {
        return base + ProcessHandle.current().pid() + "-";
    }

    /** Deletes {@code <base><pid>-*} namespaces of processes that no longer run; returns their names. */
    public static List<String> cleanUp(CommandRunner host, String base) {
        List<String> deleted = new ArrayList<>();
        if (!Files.isDirectory(NETNS_DIR)) {
            return deleted;
        }
        List<String> names;
        try (Stream<Path> entries = Files.list(NETNS_DIR)) {
            names = entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(base)).toList();
        } catch (IOException e) {
            LOG.warn(LogEvents.PROBE_CLEANUP_FAILED + " error=\"{}\"", e.getMessage());
            return deleted;
        }
        for (String name : names) {
            String rest = name.substring(base.length());
            int dash = rest.indexOf('-');
            long pid;
            try {
                pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            } catch (NumberFormatException e) {
                continue; // not one of ours
            }
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            if (host.root().run("ip", "netns", "del", name).ok()) {
                deleted.add(name);
                LOG.info(LogEvents.PROBE_STALE_NAMESPACE_DELETED + " netns={} pid={}", name, pid);
            }
        }
        return deleted;
    }
}
