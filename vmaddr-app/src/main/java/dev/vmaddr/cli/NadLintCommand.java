package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.nad.LintFinding;
import dev.vmaddr.nad.LintReport;
import dev.vmaddr.nad.NadLinter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vmaddr nad lint FILE [--config F] [--output table|json]}: exit 0 clean, 1 errors, 2 bad input. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = "Check NetworkAttachmentDefinition YAML for mistakes (exit 0 clean, 1 errors, 2 bad input); works offline.",
        footerHeading = "%nExamples:%n",
        footer = {"  vmaddr nad lint nad.yaml", "  vmaddr nad lint nad.yaml --config vmaddr.yaml --output json"})
public final class NadLintCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Option(names = "--config", paramLabel = "FILE", description = "compare with vmaddr's networks of the same name") Path config;
    @Option(names = "--output", defaultValue = "table", description = "table or json") String output;

    private final NetworkSource networks;

    public NadLintCommand(NetworkSource networks) {
        this.networks = networks;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("table") && !output.equals("json")) {
            err.println("nad lint: --output: \"" + output + "\" is not table or json");
            return 2;
        }
        if (!Files.isReadable(file)) {
            err.println("nad lint: FILE: cannot read " + file);
            return 2;
        }
        List<NetworkSpec> known = config == null ? List.of() : networks.load(config);
        LintReport report = new NadLinter().lint(Files.readString(file), known);
        if (output.equals("json")) {
            out.println(new ObjectMapper().writeValueAsString(Map.of("findings", report.findings())));
        } else {
            for (LintFinding f : report.findings()) {
                out.printf("%-7s %-16s %s: %s%n", f.severity().json(), f.rule(), f.nad() == null ? file : f.nad(), f.message());
                if (f.fix() != null) {
                    out.println("        fix: " + f.fix());
                }
            }
            if (report.findings().isEmpty()) {
                out.println("no findings");
            }
        }
        out.flush();
        return report.hasErrors() ? 1 : 0;
    }
}
