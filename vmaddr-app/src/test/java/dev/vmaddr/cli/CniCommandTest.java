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
}
