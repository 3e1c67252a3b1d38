package dev.vmaddr.cli;

import dev.vmaddr.config.ConfigException;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.config.VmaddrConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with the config file.",
        subcommands = ConfigCommand.Check.class,
        footerHeading = "%nExample:%n", footer = "  vmaddr config check --config vmaddr.yaml")
public final class ConfigCommand {
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Validate a config file: exit 0 and \"ok: N networks\", or exit 2 and every problem",
                    "as file:line: field: problem on stderr."},
            footerHeading = "%nExample:%n", footer = "  vmaddr config check --config vmaddr.yaml")
    static final class Check implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", required = true, description = "Config file (YAML).")
        Path config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try {
                VmaddrConfig cfg = ConfigLoader.load(config);
                spec.commandLine().getOut().println("ok: " + cfg.networks().size() + " networks");
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ConfigException e) {
                e.lines().forEach(spec.commandLine().getErr()::println);
                spec.commandLine().getErr().flush();
                return CliException.BAD_INPUT;
            }
        }
    }
}
