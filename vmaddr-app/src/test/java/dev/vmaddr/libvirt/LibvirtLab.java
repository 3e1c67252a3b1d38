package dev.vmaddr.libvirt;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real libvirtd for a test, inside the test's network namespace and a mount namespace of its own
 * ({@code libvirtd-in-netns.sh}: the host's /etc/libvirt, /var/lib/libvirt and /run/libvirt are
 * never touched, libvirt's {@code default} network does not exist there), and tiny TCG guests:
 * Debian's cloud kernel with an initramfs of busybox-static, the virtio modules, udhcpc and
 * qemu-ga ({@code build-initramfs.sh}), built once and cached under /var/tmp keyed by the package
 * versions and the script. {@link #close} destroys every domain, stops libvirtd by its PID and
 * any QEMU left by the PIDs libvirt wrote.
 */
final class LibvirtLab implements AutoCloseable {
    static final String AGENT = DomainXml.AGENT_CHANNEL;
    private final Path dir;
    private final String netns;
    private final Path kernel;
    private final Path initrd;
    private Process libvirtd;

    private LibvirtLab(String netns, Path dir, Path kernel, Path initrd) {
        this.netns = netns;
        this.dir = dir;
        this.kernel = kernel;
        this.initrd = initrd;
    }

    /** Whether this machine has what the lab needs (libvirtd, QEMU, qemu-ga, busybox-static, a cloud kernel). */
    static String missing() {
        for (String p : List.of("/usr/sbin/libvirtd", "/usr/bin/virsh", "/usr/bin/qemu-system-x86_64", "/usr/sbin/qemu-ga",
                "/bin/busybox")) {
            if (!Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return kernelRelease() == null ? "/boot/vmlinuz-*-cloud-amd64 with /usr/lib/modules" : null;
    }

    static LibvirtLab start(String netns, Path dir) throws Exception {
        String release = kernelRelease();
        LibvirtLab lab = new LibvirtLab(netns, dir, Path.of("/boot/vmlinuz-" + release), initramfs(release));
        lab.startDaemon();
        return lab;
    }

    /** {@code qemu:///system} of this lab's libvirtd, reachable from any namespace through the socket's path. */
    String uri() {
        return "qemu:///system?socket=" + dir.resolve("lv/sock/libvirt-sock");
    }

    void startDaemon() throws Exception {
        Path script = resource("libvirtd-in-netns.sh");
        Path log = dir.resolve("libvirtd.log");
        libvirtd = new ProcessBuilder(script.toString(), netns, dir.resolve("lv").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!virshQuiet("list", "--all").ok) {
            if (!libvirtd.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("libvirtd did not come up: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    /** Stops libvirtd (SIGTERM, then SIGKILL): its guests keep running, as on a host whose libvirtd restarts. */
    void stopDaemon() throws InterruptedException {
        if (libvirtd != null && libvirtd.isAlive()) {
            libvirtd.destroy();
            if (!libvirtd.waitFor(10, TimeUnit.SECONDS)) {
                libvirtd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    record Out(boolean ok, String stdout, String stderr) {}

    Out virshQuiet(String... args) {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", uri()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Out(false, "", "timed out");
            }
            return new Out(p.exitValue() == 0, new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String virsh(String... args) {
        Out o = virshQuiet(args);
        if (!o.ok) {
            throw new IllegalStateException("virsh " + String.join(" ", args) + ": " + o.stderr);
        }
        return o.stdout;
    }

    /** Defines a guest on {@code bridge} with the agent channel: {@code mac} null lets libvirt pick one. */
    void define(String name, String mac, String bridge) throws IOException {
        define(name, mac, bridge, true, "");
    }

    /** @param cmdline more kernel arguments ({@code vmaddr.mac=MAC}: the guest sets that MAC itself at boot) */
    void define(String name, String mac, String bridge, boolean agent, String cmdline) throws IOException {
        String xml = """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>160</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>
                    <cmdline>console=ttyS0 quiet panic=-1 %s</cmdline></os>
                  <features><acpi/></features>
                  <devices>
                    <emulator>/usr/bin/qemu-system-x86_64</emulator>
                    <interface type='bridge'>%s<source bridge='%s'/><model type='virtio'/><driver name='qemu'/></interface>
                    %s
                    <serial type='file'><source path='%s'/><target port='0'/></serial>
                    <video><model type='none'/></video>
                    <memballoon model='none'/>
                  </devices>
                </domain>
                """.formatted(name, kernel, initrd, cmdline, mac == null ? "" : "<mac address='" + mac + "'/>", bridge,
                agent ? "<channel type='unix'><target type='virtio' name='" + AGENT + "'/></channel>" : "",
                dir.resolve(name + ".console"));
        Path file = dir.resolve(name + ".xml");
        Files.writeString(file, xml);
        virsh("define", file.toString());
    }

    /** Runs {@code script} in the guest through the agent (guest-exec). */
    void guestExec(String domain, String script) {
        String json = "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\",\"arg\":[\"-c\",\""
                + script.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]}}";
        virsh("qemu-agent-command", domain, json);
    }

    String console(String domain) {
        try {
            Path p = dir.resolve(domain + ".console");
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (libvirtd != null && libvirtd.isAlive()) {
                for (String name : virshQuiet("list", "--name").stdout.lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
                    virshQuiet("destroy", name);
                }
            }
        } finally {
            stopDaemon();
            // QEMU that outlived libvirtd (a failed destroy): by the PIDs libvirt wrote
            Path pids = dir.resolve("lv/run/qemu");
            if (Files.isDirectory(pids)) {
                try (Stream<Path> s = Files.list(pids)) {
                    for (Path p : s.filter(f -> f.toString().endsWith(".pid")).toList()) {
                        try {
                            long pid = Long.parseLong(Files.readString(p).strip());
                            ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.contains("qemu")).orElse(false))
                                    .ifPresent(ProcessHandle::destroyForcibly);
                        } catch (NumberFormatException | IOException ignored) {
                            // not a PID file we can read: nothing to stop
                        }
                    }
                }
            }
        }
    }

    // ---- the guest image ----

    /** The newest cloud kernel with its modules; null when none. */
    static String kernelRelease() {
        try (Stream<Path> s = Files.list(Path.of("/boot"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vmlinuz-") && n.endsWith("-cloud-amd64"))
                    .map(n -> n.substring("vmlinuz-".length())).filter(r -> Files.isDirectory(Path.of("/usr/lib/modules", r)))
                    .sorted().reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Built once per kernel, busybox, qemu-ga and script version; kept in /var/tmp for later runs. */
    private static synchronized Path initramfs(String release) throws Exception {
        Path script = resource("build-initramfs.sh");
        String key = release + "|" + dpkgVersion("busybox-static") + "|" + dpkgVersion("qemu-guest-agent") + "|"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(script)));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)))
                .substring(0, 16);
        Path cache = Files.createDirectories(Path.of("/var/tmp/vmaddr-test-guest"));
        Path out = cache.resolve("initrd-" + hash + ".gz");
        if (!Files.exists(out)) {
            Process p = new ProcessBuilder(script.toString(), release, out.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("build-initramfs.sh failed: " + log);
            }
        }
        return out;
    }

    private static String dpkgVersion(String pkg) throws Exception {
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", pkg).start();
        String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return v;
    }

    /** A script from the test resources, copied to an executable file (the classpath may be a jar). */
    private static Path resource(String name) throws IOException {
        Path dirOut = Files.createDirectories(Path.of("target", "libvirt-lab"));
        Path target = dirOut.resolve(name).toAbsolutePath();
        try (InputStream in = LibvirtLab.class.getResourceAsStream("/dev/vmaddr/libvirt/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            Path tmp = Files.createTempFile(dirOut, name, ".tmp");
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }
}
