package dev.vmaddr.cni;

import dev.vmaddr.cni.plugin.CniPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * {@code vmaddr cni install --dir DIR}: writes {@code DIR/vmaddr}, the executable the runtime
 * execs, and {@code DIR/vmaddr-cni.jar} beside it with the plugin's classes only.
 *
 * <p>Why a jar of its own rather than the fat jar: the plugin's start-up is paid per pod and NIC;
 * on the fat jar's classpath the JVM opens a large jar and the plugin is tempted to reach for the
 * server's libraries. The small jar holds {@code dev.vmaddr.cni.plugin} and nothing else, so a
 * dependency that creeps in fails at once ({@code NoClassDefFoundError}) in the plugin tests
 * instead of slowing every pod. The JVM flags trade peak speed, which a short process never
 * reaches, for start-up, and an AOT cache trained at install ({@link AotTraining}) saves loading
 * and linking the classes of the common path.
 *
 * <p>Files are written to a temporary name and renamed, so a runtime that execs the plugin during
 * an upgrade sees the old or the new one, never half of either.
 */
public final class CniInstaller {
    public static final String PLUGIN = "vmaddr";
    public static final String JAR = "vmaddr-cni.jar";
    public static final String AOT_CACHE = "vmaddr-cni.aot";
    /**
     * Interpreter only, serial GC, no perf data file, small stack and heap. Why -Xint: a call runs a
     * few thousand bytecodes once; starting the C1 compiler thread and compiling what it deems hot
     * cost more than it saves (measured: ~50 ms CPU per call against ~65 ms with C1 only; docs/cni.md).
     */
    static final List<String> FLAGS = List.of("-Xint", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss512k", "-Xmx64m");
    private static final String PACKAGE_DIR = CniPlugin.class.getPackageName().replace('.', '/') + "/";

    private CniInstaller() {}

    /** With an AOT cache trained for this JDK; see {@link #install(Path, Path, boolean)}. */
    public static List<Path> install(Path dir, Path java) throws IOException {
        return install(dir, java, true);
    }

    /**
     * @param java the java launcher the plugin runs with
     * @param aot  train {@code DIR/vmaddr-cni.aot} ({@link AotTraining}); without it the plugin starts slower
     */
    public static List<Path> install(Path dir, Path java, boolean aot) throws IOException {
        Files.createDirectories(dir);
        Path jar = dir.resolve(JAR);
        Path tmpJar = dir.resolve("." + JAR + ".tmp");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmpJar))) {
            for (String entry : pluginClasses()) {
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = CniPlugin.class.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IOException("plugin class " + entry + " not found on the classpath");
                    }
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        Files.move(tmpJar, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path cache = dir.resolve(AOT_CACHE);
        Files.deleteIfExists(cache); // a cache of the previous jar would be refused anyway
        boolean trained = aot && AotTraining.train(java, FLAGS, jar, cache);
        Path script = dir.resolve(PLUGIN);
        Path tmpScript = dir.resolve("." + PLUGIN + ".tmp");
        Files.writeString(tmpScript, script(java, jar, trained ? cache : null));
        Files.setPosixFilePermissions(tmpScript, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(tmpScript, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return trained ? List.of(script, jar, cache) : List.of(script, jar);
    }

    /** The java launcher of this JVM. */
    public static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** @param cache the AOT cache, or null; -Xlog:disable because the JVM's own warnings go to stdout, the CNI result */
    static String script(Path java, Path jar, Path cache) {
        return "#!/bin/sh\n"
                + "# vmaddr CNI IPAM plugin, written by `vmaddr cni install`; see docs/cni.md\n"
                + "exec " + shellQuote(java.toString()) + " " + String.join(" ", FLAGS) + " -Xlog:disable"
                + (cache == null ? "" : " -XX:AOTCache=" + shellQuote(cache.toString()))
                + " -cp " + shellQuote(jar.toString()) + " " + CniPlugin.class.getName() + " \"$@\"\n";
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Every class file of the plugin package (nested classes included), from the jar or directory this class came from. */
    static List<String> pluginClasses() throws IOException {
        Path source;
        try {
            source = Path.of(CniPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the plugin classes", e);
        }
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.list(source.resolve(PACKAGE_DIR))) {
                files.map(p -> PACKAGE_DIR + p.getFileName()).filter(n -> n.endsWith(".class")).sorted().forEach(names::add);
            }
        } else {
            try (JarFile jar = new JarFile(source.toFile())) {
                jar.stream().map(JarEntry::getName)
                        .filter(n -> n.startsWith(PACKAGE_DIR) && n.endsWith(".class") && n.indexOf('/', PACKAGE_DIR.length()) < 0)
                        .sorted().forEach(names::add);
            }
        }
        if (names.isEmpty()) {
            throw new IOException("no plugin classes under " + source);
        }
        return names;
    }
}
