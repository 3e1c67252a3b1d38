package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NadLintCommandTest {
    @TempDir Path dir;

    int run(StringWriter out, String... args) {
        CommandLine cl = new CommandLine(new NadLintCommand(cfg -> List.of()));
        cl.setOut(new PrintWriter(out));
        return cl.execute(args);
    }

    @Test
    void exitOneWithJsonFindingsForAFixedMacAndZeroWhenClean() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        try (var in = getClass().getResourceAsStream("/nad/macvlan-static-mac.yaml")) {
            Files.write(bad, in.readAllBytes());
        }
        StringWriter out = new StringWriter();
        assertThat(run(out, bad.toString(), "--output", "json")).isEqualTo(1);
        assertThat(out.toString()).startsWith("{\"findings\":[{\"severity\":\"error\",\"rule\":\"mac-static\"");

        Path good = dir.resolve("good.yaml");
        try (var in = getClass().getResourceAsStream("/nad/harvester-vlan2011.yaml")) {
            Files.write(good, in.readAllBytes());
        }
        assertThat(run(new StringWriter(), good.toString())).isEqualTo(0);
        assertThat(run(new StringWriter(), dir.resolve("missing.yaml").toString())).isEqualTo(2);
    }
}
