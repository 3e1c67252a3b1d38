package dev.vmaddr.testing.netns;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A set of throw-away network namespaces for one test, deleted together by {@link #close()}.
 *
 * <pre>{@code
 * try (NetnsLab lab = NetnsLab.create()) {
 *     Netns switches = lab.namespace("sw");
 *     Bridge lan = lab.bridge(switches, "br0");
 *     Netns server = lab.namespace("srv");
 *     Netns client = lab.namespace("c0");
 *     lab.connect(lan, server, "srv0", "198.18.0.1/24");
 *     lab.connect(lan, client, "eth0", "198.18.0.2/24");
 *     client.exec("ping", "-c1", "-W1", "198.18.0.1").orThrow();
 *     try (NetnsProcess p = server.startJava(MyMain.class, "arg")) {
 *         p.awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(10));
 *     }
 * }
 * }</pre>
 *
 * <p>Names are {@code vmt-<6 hex>-<name>}, so several labs (and several test JVMs on one machine)
 * never collide, and a leftover is recognisable. Nothing is created in the root namespace: veth
 * pairs are created directly between two lab namespaces.
 *
 * <p>Not thread-safe: build a lab from the test thread. Processes it started may of course run
 * concurrently with the test.
 */
public final class NetnsLab implements AutoCloseable {
    private static final Pattern SHORT_NAME = Pattern.compile("[a-z][a-z0-9]{0,11}");
    private static final Pattern IF_NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.-]{0,14}");

    private final String prefix;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<NetnsProcess> processes = new ArrayList<>();
    private final AtomicInteger portCounter = new AtomicInteger();
    private boolean closed;

    private NetnsLab(String prefix) {
        this.prefix = prefix;
    }

    /** A new, empty lab. Requires root and iproute2 (see {@link RequiresRoot}). */
    public static NetnsLab create() {
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        return new NetnsLab("vmt-" + HexFormat.of().formatHex(random));
    }

    /** {@code vmt-<6 hex>}: the start of every namespace name in this lab. */
    public String prefix() {
        return prefix;
    }

    /** Creates namespace {@code <prefix>-<shortName>} with loopback up. */
    public Netns namespace(String shortName) {
        ensureOpen();
        if (!SHORT_NAME.matcher(shortName).matches()) {
            throw new IllegalArgumentException("namespace name must match " + SHORT_NAME + ": " + shortName);
        }
        String name = prefix + "-" + shortName;
        Teardown.register(name);
        Commands.ip("netns", "add", name);
        Netns ns = new Netns(this, name);
        namespaces.add(ns);
        Commands.ip("-n", name, "link", "set", "lo", "up");
        return ns;
    }

    /** Creates bridge {@code name} in {@code ns}, with STP off and no forward delay, and brings it up. */
    public Bridge bridge(Netns ns, String name) {
        ensureOpen();
        checkIfName(name);
        // With STP or a forward delay the first packets through a new port are dropped.
        Commands.ip("-n", ns.name(), "link", "add", name, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        Commands.ip("-n", ns.name(), "link", "set", name, "up");
        return new Bridge(ns, name);
    }

    /** Creates a veth pair {@code nameA} in {@code a} and {@code nameB} in {@code b}; both ends up, no addresses. */
    public void veth(Netns a, String nameA, Netns b, String nameB) {
        ensureOpen();
        checkIfName(nameA);
        checkIfName(nameB);
        Commands.ip("-n", a.name(), "link", "add", nameA, "type", "veth", "peer", "name", nameB, "netns", b.name());
        Commands.ip("-n", a.name(), "link", "set", nameA, "up");
        Commands.ip("-n", b.name(), "link", "set", nameB, "up");
    }

    /**
     * Plugs namespace {@code ns} into {@code bridge} through a new veth pair: {@code ifName} in
     * {@code ns} with the given addresses, the other end a port of the bridge.
     *
     * @param cidrs addresses like "198.18.0.1/24"; the first becomes the primary one
     */
    public void connect(Bridge bridge, Netns ns, String ifName, String... cidrs) {
        ensureOpen();
        String port = "vp" + portCounter.incrementAndGet();
        veth(bridge.ns(), port, ns, ifName);
        Commands.ip("-n", bridge.ns().name(), "link", "set", port, "master", bridge.name());
        for (String cidr : cidrs) {
            ns.addAddress(ifName, cidr);
        }
    }

    /** This lab's namespace with full name {@code fullName}, if it made one. */
    public java.util.Optional<Netns> find(String fullName) {
        return namespaces.stream().filter(n -> n.name().equals(fullName)).findFirst();
    }

    /** Names of this lab's namespaces that {@code ip netns list} still shows. */
    public List<String> remainingNamespaces() {
        return listNamespaces().stream().filter(n -> n.startsWith(prefix + "-")).toList();
    }

    /** Every namespace on the machine, as {@code ip netns list} names them. */
    public static List<String> listNamespaces() {
        return Commands.ip("netns", "list").stdout().lines()
                .map(l -> l.split("\\s+", 2)[0])
                .filter(l -> !l.isBlank())
                .toList();
    }

    void track(NetnsProcess process) {
        processes.add(process);
    }

    /** Stops every process started in the lab, then deletes every namespace; reports all failures at once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        NetnsException failure = null;
        for (NetnsProcess p : processes.reversed()) {
            p.close();
        }
        for (Netns ns : namespaces.reversed()) {
            ExecResult r = Commands.run(Commands.DEFAULT_TIMEOUT, List.of(Commands.ip(), "netns", "del", ns.name()));
            if (r.ok()) {
                Teardown.unregister(ns.name());
            } else {
                NetnsException e = new NetnsException("teardown: " + r);
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + prefix + " is closed");
        }
    }

    static void checkIfName(String name) {
        if (!IF_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("interface name must match " + IF_NAME + " (max 15 chars): " + name);
        }
    }
}
