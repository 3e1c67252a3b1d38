package dev.vmaddr.libvirt;

import dev.vmaddr.hostnet.CommandResult;
import dev.vmaddr.hostnet.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * libvirt through {@code virsh -c URI} (libvirt-clients). Why virsh and not the JNA binding
 * ({@code org.libvirt:libvirt}): the binding needs libvirt0 loaded into the JVM (a native library
 * in the server's address space, versioned with the host's libvirt), while virsh is always there
 * on a libvirt host, speaks every URI the host's libvirt speaks, and a hung or crashed call ends
 * with its process (a timeout here), never with the server. The cost, a process per call (about
 * 20 ms), is paid on the sync's own thread, never on the DHCP path.
 *
 * <p>Thread-safe: each call is its own process.
 */
public final class Virsh {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CommandRunner runner;
    private final String uri;

    public Virsh(CommandRunner runner, String uri) {
        this.runner = runner;
        this.uri = uri;
    }

    public String uri() {
        return uri;
    }

    /**
     * Every domain (defined or transient) with its definition: the live one for an active domain.
     * Two virsh processes per pass whatever the number of domains: the lists, then every
     * {@code dumpxml} in one invocation (virsh runs {@code cmd; cmd; ...} in order and goes on after
     * a failing one). A domain whose definition did not come back that way is asked alone, so that
     * "undefined meanwhile" (left out: the next pass sees it gone) is told apart from a failure
     * (the pass fails: a VM is never deleted because libvirt did not answer).
     */
    public List<Domain> domains() {
        String[] lists = run(TIMEOUT, "list --all --name; echo " + MARK + "; list --name").stdout().split(MARK, -1);
        if (lists.length != 2) {
            throw new LibvirtException("virsh -c " + uri + ": unexpected list output");
        }
        List<String> all = lines(lists[0]);
        Set<String> active = new HashSet<>(lines(lists[1]));
        List<String> batchable = all.stream().filter(Virsh::quotable).toList();
        String[] xmls = new String[0];
        if (!batchable.isEmpty()) {
            StringBuilder batch = new StringBuilder();
            for (String name : batchable) {
                batch.append(batch.isEmpty() ? "" : "; echo " + MARK + "; ").append("dumpxml -- '").append(name).append('\'');
            }
            CommandResult r = runner.run(argv(batch.toString()), TIMEOUT.multipliedBy(Math.max(1, batchable.size() / 20 + 1)));
            if (r.exitCode() == CommandResult.NOT_FOUND || r.exitCode() == CommandResult.TIMED_OUT) {
                throw failure(r);
            }
            xmls = r.stdout().split(MARK, -1);
        }
        List<Domain> out = new ArrayList<>();
        for (String name : all) {
            int i = batchable.indexOf(name);
            String xml = i >= 0 && xmls.length == batchable.size() ? xmls[i] : "";
            if (xml.isBlank()) {
                CommandResult alone = runner.run(argv("dumpxml", "--", name), TIMEOUT);
                if (!alone.ok()) {
                    if (gone(alone)) {
                        continue; // undefined between the list and now: the next pass sees it gone
                    }
                    throw failure(alone);
                }
                xml = alone.stdout();
            }
            out.add(DomainXml.parse(xml, "virsh dumpxml " + name, active.contains(name) ? Domain.RUNNING : Domain.SHUT_OFF));
        }
        return out;
    }

    /** Separates the answers of one batched invocation; no domain XML or name list contains it. */
    private static final String MARK = "@@vmaddr-next-answer@@";

    /** A name virsh reads back unchanged inside single quotes. */
    private static boolean quotable(String name) {
        return name.chars().noneMatch(c -> c == '\'' || c == '\\' || c < 0x20) && !name.contains(MARK);
    }

    /** libvirt's state word for the domain ({@code running}, {@code shut off} ...). */
    public String state(String domain) {
        return run(TIMEOUT, "domstate", "--", domain).stdout().strip();
    }

    /** The persistent definition ({@code --inactive}), as libvirt prints it. */
    public String inactiveXml(String domain) {
        return run(TIMEOUT, "dumpxml", "--inactive", "--", domain).stdout();
    }

    /** {@code virsh define}: replaces the persistent definition (a running domain keeps its live one). */
    public void define(String xml) {
        Path file = null;
        try {
            file = Files.createTempFile("vmaddr-domain-", ".xml",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, xml, StandardCharsets.UTF_8);
            run(TIMEOUT, "define", "--file", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** A guest agent command ({@code {"execute":...}}); its JSON answer. */
    public String agentCommand(String domain, String json, Duration timeout) {
        long seconds = Math.max(1, timeout.toSeconds());
        return run(timeout.plusSeconds(5), "qemu-agent-command", "--timeout", Long.toString(seconds), "--", domain, json).stdout();
    }

    /** A QMP command to QEMU's monitor ({@code {"execute":"query-rx-filter"}}); its JSON answer. */
    public String monitorCommand(String domain, String json) {
        return run(TIMEOUT, "qemu-monitor-command", "--", domain, json).stdout();
    }

    private CommandResult run(Duration timeout, String... args) {
        CommandResult r = runner.run(argv(args), timeout);
        if (!r.ok()) {
            throw failure(r);
        }
        return r;
    }

    private List<String> argv(String... args) {
        List<String> argv = new ArrayList<>(List.of("virsh", "-q", "-c", uri));
        argv.addAll(List.of(args));
        return argv;
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static boolean gone(CommandResult r) {
        return r.stderr().contains("failed to get domain") || r.stderr().contains("Domain not found");
    }

    private LibvirtException failure(CommandResult r) {
        String err = r.stderr().strip().replace('\n', ' ');
        if (r.exitCode() == CommandResult.NOT_FOUND) {
            return new LibvirtException("virsh is not installed (libvirt-clients): " + err);
        }
        if (r.exitCode() == CommandResult.TIMED_OUT) {
            return new LibvirtException("virsh -c " + uri + " timed out: " + String.join(" ", r.command().subList(4, r.command().size())));
        }
        return new LibvirtException("virsh -c " + uri + " " + String.join(" ", r.command().subList(4, r.command().size()))
                + ": " + (err.isEmpty() ? "exit " + r.exitCode() : err));
    }
}
