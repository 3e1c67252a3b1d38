package dev.vmaddr.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmaddr nad lint|import|export}: Multus NetworkAttachmentDefinitions. */
@Command(name = "nad", mixinStandardHelpOptions = true,
        description = "NetworkAttachmentDefinitions: lint (offline), import into and export from the server.",
        subcommands = {NadLintCommand.class, NadCommand.Import.class, NadCommand.Export.class},
        footerHeading = "%nExamples:%n",
        footer = {"  vmaddr nad lint nad.yaml", "  vmaddr nad import nad.yaml", "  vmaddr nad export lan0 > lan0-nad.yaml"})
public final class NadCommand {

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Create or update networks from NAD YAML (a NAD without CIDR in route mode auto is checked "
                    + "for connectivity only, until it gets one).",
            footerHeading = "%nExample:%n", footer = "  vmaddr nad import harvester-nads.yaml --output json")
    static final class Import extends ClientCommand {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        void run(ApiClient api) {
            String yaml;
            try {
                yaml = Files.readString(file);
            } catch (IOException e) {
                throw new CliException(CliException.BAD_INPUT, "FILE: cannot read " + file + ": " + e.getMessage());
            }
            print(api.postText("/api/v1/nads", yaml, "application/yaml").path("items"), "name", "stored", "warnings");
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Print a network as a NAD (Harvester route annotation, CNI config that applies requested MACs).",
            footerHeading = "%nExamples:%n",
            footer = {"  vmaddr nad export lan0", "  vmaddr nad export lan0 --type macvlan --namespace default"})
    static final class Export extends ClientCommand {
        @Parameters(paramLabel = "NETWORK")
        String network;
        @Option(names = "--type", paramLabel = "CNI", defaultValue = "bridge", description = "bridge or macvlan (default: ${DEFAULT-VALUE}).")
        String type;
        @Option(names = "--namespace", paramLabel = "NS", description = "Kubernetes namespace for metadata.namespace.")
        String namespace;

        @Override
        void run(ApiClient api) {
            String q = "?format=nad&type=" + ApiClient.seg(type) + (namespace == null ? "" : "&namespace=" + ApiClient.seg(namespace));
            out().print(api.getText(networkPath(network) + "/export" + q));
            out().flush();
        }
    }
}
