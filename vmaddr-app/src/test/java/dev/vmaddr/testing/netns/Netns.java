package dev.vmaddr.testing.netns;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One namespace of a {@link NetnsLab}; everything here runs inside it, never in the root namespace. */
public final class Netns {
    private static final Pattern IF_INDEX = Pattern.compile("^(\\d+):\\s");
    private static final String LIMITED_BROADCAST = "255.255.255.255/32";

    private final NetnsLab lab;
    private final String name;

    Netns(NetnsLab lab, String name) {
        this.lab = lab;
        this.name = name;
    }

    /** Full name, as {@code ip netns list} shows it. */
    public String name() {
        return name;
    }

    /** Runs {@code command} inside the namespace and waits up to 10 s for it. */
    public ExecResult exec(String... command) {
        return exec(Commands.DEFAULT_TIMEOUT, command);
    }

    /** Runs {@code command} inside the namespace; fails if it outlives {@code timeout}. */
    public ExecResult exec(Duration timeout, String... command) {
        return Commands.run(timeout, wrap(List.of(command)));
    }

    /**
     * Starts a long-running {@code command} inside the namespace. The lab kills it on close; close
     * it earlier to stop it.
     */
    public NetnsProcess start(String... command) {
        return start(List.of(command));
    }

    public NetnsProcess start(List<String> command) {
        List<String> full = wrap(command);
        try {
            // ip netns exec execs the command in place, so the Process is the command itself.
            NetnsProcess process = new NetnsProcess(full, new ProcessBuilder(full).start());
            lab.track(process);
            return process;
        } catch (IOException e) {
            throw new NetnsException("cannot start " + String.join(" ", full), e);
        }
    }

    /** Starts {@code mainClass} in a child JVM inside the namespace; see {@link ChildJvm}. */
    public NetnsProcess startJava(Class<?> mainClass, String... args) {
        return start(ChildJvm.command(mainClass, args));
    }

    /** Adds an address (198.18.0.0/15 or 127.0.0.0/8 only) to {@code ifName}. */
    public void addAddress(String ifName, String cidr) {
        Commands.ip("-n", name, "addr", "add", AddressPolicy.check(cidr), "dev", ifName);
    }

    /**
     * Adds a route via an interface. Allowed: prefixes inside the permitted ranges, and
     * 255.255.255.255/32, which a client needs to broadcast when it has no default route and which
     * never leaves the link.
     */
    public void addRoute(String prefix, String ifName) {
        String checked = prefix.equals(LIMITED_BROADCAST) || prefix.equals("255.255.255.255")
                ? LIMITED_BROADCAST
                : AddressPolicy.check(prefix);
        Commands.ip("-n", name, "route", "add", checked, "dev", ifName);
    }

    /** The kernel's index of interface {@code ifName} in this namespace. */
    public int ifIndex(String ifName) {
        String line = Commands.ip("-n", name, "-o", "link", "show", "dev", ifName).stdout();
        Matcher m = IF_INDEX.matcher(line);
        if (!m.find()) {
            throw new NetnsException("no ifindex in: " + line);
        }
        return Integer.parseInt(m.group(1));
    }

    private List<String> wrap(List<String> command) {
        List<String> full = new ArrayList<>(4 + command.size());
        full.add(Commands.ip());
        full.add("netns");
        full.add("exec");
        full.add(name);
        full.addAll(command);
        return full;
    }

    @Override
    public String toString() {
        return name;
    }
}
