package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.cni.CniInstaller;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CniCommandTest {
    @TempDir
    Path dir;

    @Test
    void installWritesAnExecutableScriptAndAJarOfThePluginPackageOnly() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new CniCommand());
        cl.setOut(new PrintWriter(out));

        int rc = cl.execute("install", "--dir", dir.resolve("bin").toString(), "--no-aot");

        assertThat(rc).isZero();
        Path script = dir.resolve("bin").resolve(CniInstaller.PLUGIN);
        assertThat(out.toString()).contains("wrote " + script);
        assertThat(Files.isExecutable(script)).isTrue();
        assertThat(Files.readString(script)).startsWith("#!/bin/sh\n").contains("dev.vmaddr.cni.plugin.CniPlugin")
                .contains("-Xlog:disable").doesNotContain("AOTCache");
        try (JarFile jar = new JarFile(dir.resolve("bin").resolve(CniInstaller.JAR).toFile())) {
            assertThat(jar.stream().map(e -> e.getName()).toList())
                    .isNotEmpty().allMatch(n -> n.startsWith("dev/vmaddr/cni/plugin/") && n.endsWith(".class"))
                    .contains("dev/vmaddr/cni/plugin/CniPlugin.class");
        }
        assertThat(new CommandLine(new CniCommand()).execute("install")).isEqualTo(2); // --dir is required
    }

    /**
     * The AOT cache is trained over both transports: a plugin configured with {@code unix:} finds its
     * socket and selector classes in the cache, not in the JDK's modules (what made unix calls slower).
     */
    @Test
    void theAotCacheHoldsTheUnixSocketPathToo() throws Exception {
        Path bin = dir.resolve("bin");
        assertThat(new CommandLine(new CniCommand()).execute("install", "--dir", bin.toString())).isZero();
        Path cache = bin.resolve(CniInstaller.AOT_CACHE);
        assertThat(cache).exists();
        String script = Files.readString(bin.resolve(CniInstaller.PLUGIN));
        assertThat(script).contains("-XX:AOTCache=").contains("-Xint");
        // the installed command line, with the JVM's class-load log on instead of -Xlog:disable
        String line = script.lines().filter(l -> l.startsWith("exec ")).findFirst().orElseThrow();
        java.util.List<String> cmd = new java.util.ArrayList<>();
        for (String word : line.substring(5).replace(" \"$@\"", "").split(" ")) {
            cmd.add(word.replace("'", "").equals("-Xlog:disable") ? "-Xlog:class+load=info" : word.replace("'", ""));
        }
        cmd.add(cmd.size() - 3, "-XX:AOTMode=on"); // refuse to start rather than run without the cache
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(java.util.Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_IFNAME", "net1",
                "CNI_ARGS", "MAC=02:00:00:00:00:01"));
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"macvlan\",\"ipam\":{\"type\":\"vmaddr\","
                    + "\"network\":\"n\",\"server\":\"unix:" + dir.resolve("nobody.sock") + "\"}}").getBytes());
        }
        String log = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertThat(log).as("nothing listens: try again").contains("\"code\":11").doesNotContain("Unable to use AOT cache");
        assertThat(log.lines().filter(l -> l.contains("sun.nio.ch.EPollSelectorImpl ") || l.contains("dev.vmaddr.cni.plugin.MiniHttp ")))
                .hasSize(2).allMatch(l -> l.contains("shared objects file"));
    }
}
