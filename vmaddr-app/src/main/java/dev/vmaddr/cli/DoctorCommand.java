package dev.vmaddr.cli;

import dev.vmaddr.doctor.Doctor;
import dev.vmaddr.doctor.DoctorOptions;
import dev.vmaddr.doctor.DoctorReport;
import dev.vmaddr.doctor.Finding;
import dev.vmaddr.hostnet.ProcessCommandRunner;
import dev.vmaddr.model.NetworkSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vmaddr doctor [--config F] [--network NAME] [--netns NS] [--no-probes] [--output json]}. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Diagnose the host side of VM networks from the config file alone (no server needed); never changes the host.",
        footerHeading = "%nExamples:%n",
        footer = {"  vmaddr doctor --config vmaddr.yaml", "  vmaddr doctor --config vmaddr.yaml --network lan0 --output json"})
public final class DoctorCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--config", paramLabel = "FILE", required = true) Path config;
    @Option(names = "--network", paramLabel = "NAME") String network;
    @Option(names = "--netns", paramLabel = "NS", description = "run every command inside this network namespace") String netns;
    @Option(names = "--no-probes", description = "read host state only: no probe on the networks") boolean noProbes;
    @Option(names = "--output", defaultValue = "table", description = "table or json") String output;

    private final NetworkSource networks;

    public DoctorCommand(NetworkSource networks) {
        this.networks = networks;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!output.equals("table") && !output.equals("json")) {
            spec.commandLine().getErr().println("doctor: --output: \"" + output + "\" is not table or json");
            return 2;
        }
        List<NetworkSpec> all = networks.load(config);
        List<NetworkSpec> selected = network == null ? all : all.stream().filter(n -> n.name().equals(network)).toList();
        if (selected.isEmpty() && network != null) {
            spec.commandLine().getErr().println("doctor: --network: no network named " + network);
            return 2;
        }
        DoctorOptions options = new DoctorOptions(netns, Set.of(), Set.of(), List.of(), !noProbes, Duration.ofSeconds(5));
        DoctorReport report = new Doctor(new ProcessCommandRunner(), new SecureRandom(),
                dev.vmaddr.connectivity.StaleProbeNamespaces.prefixFor(dev.vmaddr.connectivity.StaleProbeNamespaces.BASE)).run(selected, options);
        if (output.equals("json")) {
            out.println(report.toJson());
        } else {
            for (Finding f : report.findings()) {
                out.printf("%-7s %-20s %s: %s%n", f.severity().json(), f.check(), f.network() == null ? "-" : f.network(), f.evidence());
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
