package dev.vmaddr.dhcp.it;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.cli.Main;
import dev.vmaddr.testing.netns.Bridge;
import dev.vmaddr.testing.netns.ExecResult;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsLab;
import dev.vmaddr.testing.netns.NetnsProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * A DHCP test network: a switch namespace with bridges {@code br0..brN-1}, a server namespace whose
 * interface {@code srvN} (198.18.N.1/24) sits on {@code brN}, vmaddr serving from it in a child JVM,
 * and client namespaces running real Debian clients whose hook scripts record what they got.
 *
 * <pre>
 *   c*:eth0 ── br0 ── srv0 198.18.0.1     srv: vmaddr serve --config DIR/vmaddr.yaml
 *   c*:eth0 ── br1 ── srv1 198.18.1.1          API on 127.0.0.1:8067 inside srv only
 * </pre>
 *
 * The server's data dir, config and every client's files live under the given directory (a
 * {@code @TempDir}). No client ever sees the machine's resolv.conf: each runs our hook script only.
 * {@link #close()} stops every process and deletes every namespace, also after a failed test.
 *
 * <p>Not thread-safe: build and drive a lab from one test thread.
 */
public final class DhcpLab implements AutoCloseable {
    public static final int API_PORT = 8067;
    static final Duration SERVER_START = Duration.ofSeconds(60);
    /**
     * Labs alive at once in this JVM. Each runs a server JVM plus clients; on a 2-core machine more
     * than a few starting together only slow each other down past their timeouts.
     */
    private static final Semaphore LABS = new Semaphore(3, true);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NetnsLab lab;
    private final Path dir;
    private final Netns sw;
    private final Netns srv;
    private final List<Bridge> bridges = new ArrayList<>();
    private final Path hooks;
    private NetnsProcess server;
    private String serverYaml;
    private final List<String> serverLog = new ArrayList<>();
    private int clients;
    private boolean closed;

    private DhcpLab(NetnsLab lab, Path dir, int bridgeCount) throws IOException {
        this.lab = lab;
        this.dir = dir;
        this.sw = lab.namespace("sw");
        this.srv = lab.namespace("srv");
        for (int i = 0; i < bridgeCount; i++) {
            Bridge br = lab.bridge(sw, "br" + i);
            bridges.add(br);
            lab.connect(br, srv, "srv" + i, "198.18." + i + ".1/24");
        }
        // Relayed requests come from the relay's address; some hosts make new namespaces inherit rp_filter.
        srv.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0").orThrow();
        this.hooks = Files.createDirectories(dir.resolve("hooks"));
        for (String hook : List.of("dhclient-hook.sh", "udhcpc-hook.sh", "dhcpcd-hook.sh")) {
            try (InputStream in = DhcpLab.class.getResourceAsStream("/dhcp-clients/" + hook)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource /dhcp-clients/" + hook);
                }
                Path target = hooks.resolve(hook);
                Files.copy(in, target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    /** The usual one-network server config, to change where a test is about it ({@link DhcpLabConfig}). */
    public static DhcpLabConfig lan0() {
        return new DhcpLabConfig();
    }

    /** A lab with {@code bridgeCount} bridges, each with a server interface on it. */
    public static DhcpLab create(Path dir, int bridgeCount) {
        LABS.acquireUninterruptibly();
        NetnsLab lab = null;
        try {
            lab = NetnsLab.create();
            return new DhcpLab(lab, dir, bridgeCount);
        } catch (IOException | RuntimeException e) {
            try {
                if (lab != null) {
                    lab.close();
                }
            } finally {
                LABS.release();
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    public NetnsLab netns() {
        return lab;
    }

    public Netns switches() {
        return sw;
    }

    public Netns serverNs() {
        return srv;
    }

    public Bridge bridge(int i) {
        return bridges.get(i);
    }

    public Path dir() {
        return dir;
    }

    public NetnsProcess server() {
        return server;
    }

    /** A client namespace {@code name} with {@code eth0} on bridge {@code bridge}, no address; mac null: random. */
    public Netns client(String name, int bridge, String mac) {
        Netns ns = lab.namespace(name);
        lab.connect(bridges.get(bridge), ns, "eth0");
        if (mac != null) {
            ns.exec("ip", "link", "set", "eth0", "address", mac).orThrow();
        }
        return ns;
    }

    /** A host with a fixed address on bridge {@code bridge} (it answers ping and ARP). */
    public Netns staticHost(String name, int bridge, String cidr) {
        Netns ns = lab.namespace(name);
        lab.connect(bridges.get(bridge), ns, "eth0", cidr);
        return ns;
    }

    /**
     * Writes the config (data dir, API and token file are the lab's; {@code yaml} holds the rest:
     * {@code dhcp:}, {@code networks:}) and starts the server, waiting for {@code event=server.ready}.
     */
    public NetnsProcess startServer(String yaml) {
        serverYaml = yaml;
        return restartServer();
    }

    /** Starts the server again on the same data dir and config (after {@link #killServer} or {@link #stopServer}). */
    public NetnsProcess restartServer() {
        if (server != null && server.isAlive()) {
            throw new IllegalStateException("server still running");
        }
        if (server != null) {
            serverLog.addAll(server.stderrLines());
            serverLog.add("---- restart ----");
        }
        Path config = dir.resolve("vmaddr.yaml");
        String text = "dataDir: " + dir.resolve("data") + "\n"
                + "api:\n  listen: 127.0.0.1:" + API_PORT + "\n  tokenFile: " + tokenFile() + "\n"
                + serverYaml;
        try {
            Files.writeString(config, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = srv.startJava(Main.class, "serve", "--config", config.toString());
        server.awaitStderrLine(l -> l.contains("event=server.ready"), SERVER_START);
        return server;
    }

    /** {@code kill -9}: no shutdown hook, no flush. */
    public void killServer() {
        server.kill();
    }

    /** SIGTERM and wait: a clean shutdown. */
    public void stopServer() {
        server.close();
    }

    public Path tokenFile() {
        return dir.resolve("api-token");
    }

    /**
     * Every lease of {@code network}, as the server's API lists them (fields {@code ip, mac, network,
     * state, clientId, hostname, expiresAt}). Asked from inside the server namespace, where the API
     * listens; follows the pages.
     */
    public List<Map<String, Object>> leases(String network) {
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        try {
            String token = Files.readString(tokenFile()).strip();
            do {
                String url = "http://127.0.0.1:" + API_PORT + "/api/v1/networks/" + network + "/leases?limit=5000"
                        + (cursor == null ? "" : "&cursor=" + cursor);
                ExecResult r = srv.exec(Duration.ofSeconds(20), "curl", "-sS", "--fail-with-body", "-m", "15",
                        "-H", "Authorization: Bearer " + token, url).orThrow();
                Map<String, Object> page = JSON.readValue(r.stdout(), new TypeReference<>() {});
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
                all.addAll(items);
                cursor = (String) page.get("nextCursor");
            } while (cursor != null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    /**
     * {@link #api} for a call that must succeed: the answer's body, failing on a status of 400 or above.
     */
    public String apiOk(String method, String path, String json) {
        ApiAnswer a = api(method, path, json);
        if (a.status() >= 400) {
            throw new IllegalStateException(method + " " + path + " answered " + a.status() + ": " + a.body());
        }
        return a.body();
    }

    /**
     * Releases an address through the API ({@code DELETE .../allocations/IP}), from inside the server
     * namespace. 404 (nothing to release any more) is accepted: the client may have released it already.
     */
    public void releaseViaApi(String network, String ip) {
        String url = "http://127.0.0.1:" + API_PORT + "/api/v1/networks/" + network + "/allocations/" + ip;
        String token;
        try {
            token = Files.readString(tokenFile()).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String status = srv.exec(Duration.ofSeconds(20), "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-m", "15",
                "-X", "DELETE", "-H", "Authorization: Bearer " + token, url).orThrow().stdout().strip();
        if (!status.equals("204") && !status.equals("404")) {
            throw new IllegalStateException("DELETE " + url + " answered " + status);
        }
    }

    /** An API answer: the HTTP status and the body as text. */
    public record ApiAnswer(int status, String body) {}

    /**
     * Calls the server's API from inside the server namespace, where it listens: {@code method}
     * {@code path} (from {@code /api/v1/...}) with a JSON body or none.
     */
    public ApiAnswer api(String method, String path, String json) {
        String token;
        try {
            token = Files.readString(tokenFile()).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-m", "15", "-w", "\n%{http_code}", "-X", method,
                "-H", "Authorization: Bearer " + token));
        if (json != null) {
            cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", json));
        }
        cmd.add("http://127.0.0.1:" + API_PORT + path);
        String out = srv.exec(Duration.ofSeconds(20), cmd.toArray(String[]::new)).orThrow().stdout();
        int nl = out.lastIndexOf('\n');
        return new ApiAnswer(Integer.parseInt(out.substring(nl + 1).strip()), out.substring(0, Math.max(nl, 0)));
    }

    /** The lease of {@code ip} in {@code network}, or null. */
    public Map<String, Object> lease(String network, String ip) {
        return leases(network).stream().filter(l -> ip.equals(l.get("ip"))).findFirst().orElse(null);
    }

    /** Waits until the lease of {@code ip} has {@code state} (the server handles packets asynchronously). */
    public Map<String, Object> awaitLeaseState(String network, String ip, String state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Object> lease = lease(network, ip);
            if (lease != null && state.equals(lease.get("state"))) {
                return lease;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("lease of " + ip + " not " + state + " within " + timeout + ": " + lease);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    // ---- clients ----

    /**
     * Starts ISC dhclient in the foreground, once ({@code -1}: it exits when it gets no lease within
     * the config's timeout). {@code confLines} go into its private dhclient.conf after the defaults
     * (option 121 defined, timeout 10 s, a request list with every option the server configures).
     */
    public DhcpClient dhclient(Netns ns, String... confLines) {
        return dhclientWithDir(ns, clientDir("dhclient"), confLines).start();
    }

    /** dhclient with {@code leaseFile} as its lease file from the start (INIT-REBOOT from a lease it never got here). */
    public DhcpClient dhclientPrepared(Netns ns, String leaseFile, String... confLines) {
        Path cdir = clientDir("dhclient");
        write(cdir.resolve("dhclient.leases"), leaseFile);
        return dhclientWithDir(ns, cdir, confLines).start();
    }

    /** dhclient again with the same files (lease file included): INIT-REBOOT. */
    public DhcpClient dhclientAgain(DhcpClient earlier) {
        return new DhcpClient(DhcpClient.Kind.DHCLIENT, earlier.namespace(), earlier.dir(), dhclientCommand(earlier.dir(), false)).start();
    }

    /** {@code dhclient -r}: sends a RELEASE for the lease in {@code client}'s lease file and exits. */
    public ExecResult dhclientRelease(DhcpClient client) {
        List<String> cmd = dhclientCommand(client.dir(), true);
        return client.namespace().exec(Duration.ofSeconds(20), cmd.toArray(String[]::new));
    }

    private DhcpClient dhclientWithDir(Netns ns, Path cdir, String... confLines) {
        StringBuilder conf = new StringBuilder()
                .append("option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;\n")
                .append("timeout 10;\nretry 1;\n")
                .append("request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, host-name, ")
                .append("interface-mtu, rfc3442-classless-static-routes;\n");
        for (String l : confLines) {
            conf.append(l).append('\n');
        }
        write(cdir.resolve("dhclient.conf"), conf.toString());
        return new DhcpClient(DhcpClient.Kind.DHCLIENT, ns, cdir, dhclientCommand(cdir, false));
    }

    private List<String> dhclientCommand(Path cdir, boolean release) {
        List<String> cmd = new ArrayList<>(List.of("dhclient", "-d", "-1", "-v"));
        if (release) {
            cmd = new ArrayList<>(List.of("dhclient", "-r", "-v"));
        }
        // dhclient runs its script with a clean environment: the wrapper carries VMT_OUT.
        cmd.addAll(List.of("-sf", wrapper(cdir, "dhclient-hook.sh").toString(), "-lf", cdir.resolve("dhclient.leases").toString(),
                "-pf", cdir.resolve("dhclient.pid").toString(), "-cf", cdir.resolve("dhclient.conf").toString(), "eth0"));
        return cmd;
    }

    /**
     * Starts busybox udhcpc in the foreground: {@code -R} (release on SIGTERM), 121, 26, 12, 15, 28
     * requested, {@code -t 4 -T 2 -n}: it gives up and exits after 4 unanswered DISCOVERs.
     */
    public DhcpClient udhcpc(Netns ns, String... extraArgs) {
        Path cdir = clientDir("udhcpc");
        List<String> cmd = new ArrayList<>(List.of("udhcpc", "-f", "-R", "-n", "-t", "4", "-T", "2", "-i", "eth0",
                "-s", wrapper(cdir, "udhcpc-hook.sh").toString(),
                "-O", "mtu", "-O", "staticroutes", "-O", "hostname", "-O", "domain", "-O", "broadcast"));
        cmd.addAll(List.of(extraArgs));
        return new DhcpClient(DhcpClient.Kind.UDHCPC, ns, cdir, cmd).start();
    }

    /**
     * Starts dhcpcd (IPv4 only, foreground) with our hook and private {@code /run/dhcpcd} and
     * {@code /var/lib/dhcpcd} (bind mounts in the mount namespace {@code ip netns exec} makes).
     * {@code confLines} extend its private dhcpcd.conf; {@code args} go before the interface.
     */
    public DhcpClient dhcpcd(Netns ns, List<String> confLines, String... args) {
        Path cdir = clientDir("dhcpcd");
        Path run = mkdirs(cdir.resolve("run"));
        Path lib = mkdirs(cdir.resolve("lib"));
        StringBuilder conf = new StringBuilder("option subnet_mask, routers, domain_name_servers, domain_name, host_name, ")
                .append("interface_mtu, broadcast_address, classless_static_routes\n");
        for (String l : confLines) {
            conf.append(l).append('\n');
        }
        write(cdir.resolve("dhcpcd.conf"), conf.toString());
        String dhcpcd = "exec dhcpcd -B -4 -t 20 -f " + cdir.resolve("dhcpcd.conf") + " -c " + wrapper(cdir, "dhcpcd-hook.sh")
                + " --nohook resolv.conf " + String.join(" ", args) + " eth0";
        String script = "mkdir -p /run/dhcpcd /var/lib/dhcpcd && mount --bind " + run + " /run/dhcpcd && mount --bind "
                + lib + " /var/lib/dhcpcd && " + dhcpcd;
        return new DhcpClient(DhcpClient.Kind.DHCPCD, ns, cdir, List.of("sh", "-c", script)).start();
    }

    private Path clientDir(String kind) {
        Path cdir = mkdirs(dir.resolve("clients").resolve(kind + "-" + (++clients)));
        mkdirs(cdir.resolve("out"));
        return cdir;
    }

    private Path wrapper(Path cdir, String hook) {
        Path w = cdir.resolve("hook.sh");
        if (!Files.exists(w)) {
            write(w, "#!/bin/sh\nVMT_OUT='" + cdir.resolve("out") + "' exec '" + hooks.resolve(hook) + "' \"$@\"\n");
            try {
                Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return w;
    }

    private static Path mkdirs(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops the server and every client, deletes every namespace. Keeps the server's log (all
     * runs) in {@code target/dhcp-lab-logs/<lab prefix>.log} for a look after a failure.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lab.close();
            // The servers' connectivity probes make namespaces of their own (vmaddr-probe-PID-*); a
            // server killed mid-check leaves one, which is deleted once its process is gone.
            dev.vmaddr.connectivity.StaleProbeNamespaces.cleanUp(new dev.vmaddr.hostnet.ProcessCommandRunner(),
                    dev.vmaddr.connectivity.StaleProbeNamespaces.BASE);
        } finally {
            LABS.release();
            if (!serverLog.isEmpty() || server != null) {
                try {
                    Path logs = Files.createDirectories(Path.of("target", "dhcp-lab-logs"));
                    List<String> all = new ArrayList<>(serverLog);
                    if (server != null) {
                        all.addAll(server.stderrLines());
                    }
                    Files.write(logs.resolve(lab.prefix() + ".log"), all);
                } catch (IOException ignored) {
                    // Only a debugging aid.
                }
            }
        }
    }
}
