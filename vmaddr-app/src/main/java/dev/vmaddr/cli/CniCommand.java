package dev.vmaddr.cli;

import dev.vmaddr.cni.CniInstaller;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "cni", mixinStandardHelpOptions = true, description = "The CNI IPAM plugin (docs/cni.md).",
        subcommands = CniCommand.Install.class,
        footerHeading = "%nExample:%n", footer = "  vmaddr cni install --dir /opt/cni/bin")
public final class CniCommand {

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Write DIR/vmaddr (the CNI IPAM plugin), DIR/vmaddr-cni.jar (its classes) and DIR/vmaddr-cni.aot (an AOT cache for this JDK).",
            footerHeading = "%nExample:%n", footer = "  vmaddr cni install --dir /opt/cni/bin")
    static final class Install implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the runtime's CNI plugin directory")
        Path dir;

        @Option(names = "--java", paramLabel = "JAVA", description = "java launcher the plugin runs with (default: this one)")
        Path java;

        @Option(names = "--no-aot", description = "do not train the AOT cache (the plugin then starts slower)")
        boolean noAot;

        @Override
        public Integer call() {
            try {
                for (Path p : CniInstaller.install(dir, java != null ? java : CniInstaller.currentJava(), !noAot)) {
                    spec.commandLine().getOut().println("wrote " + p);
                }
            } catch (IOException e) {
                throw new CliException(CliException.FAILED, "cannot install the CNI plugin into " + dir + ": " + e.getMessage());
            }
            return 0;
        }
    }
}
