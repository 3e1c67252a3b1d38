package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The shapes every command shares (PRODUCT.md: noun, verb, {@code --output}) come from one helper
 * each, so no command drifts: {@link OutputOption} on every command that prints, {@link ClientOptions}
 * on every command that talks to a server, {@link NetworkOption} wherever {@code --network} is required.
 */
class CommandShapesTest {
    private static List<CommandLine> leaves(CommandLine c) {
        List<CommandLine> out = new ArrayList<>();
        if (c.getSubcommands().isEmpty()) {
            out.add(c);
        }
        for (CommandLine sub : c.getSubcommands().values()) {
            if (!sub.getCommandName().equals("help")) {
                out.addAll(leaves(sub));
            }
        }
        return out;
    }

    private static String name(CommandSpec s) {
        return s.qualifiedName();
    }

    @Test
    void everyServerCommandHasTheClientOptionsAndEveryPrintingCommandTheSameOutputOption() {
        List<String> checked = new ArrayList<>();
        for (CommandLine c : leaves(Main.commandLine())) {
            CommandSpec s = c.getCommandSpec();
            Object command = s.userObject();
            boolean offlinePrinter = command instanceof DoctorCommand || command instanceof NadLintCommand;
            if (command instanceof ClientCommand) {
                assertThat(s.findOption("--api")).as(name(s)).isNotNull();
                assertThat(s.findOption("--token-file")).as(name(s)).isNotNull();
                assertThat(s.findOption("--config")).as(name(s)).isNotNull();
            } else if (!offlinePrinter) {
                continue;
            }
            OptionSpec output = s.findOption("--output");
            assertThat(output).as(name(s)).isNotNull();
            assertThat(output.names()).as(name(s)).containsExactly("-o", "--output");
            assertThat(output.defaultValue()).as(name(s)).isEqualTo("table");
            assertThat(output.type()).as(name(s)).isEqualTo(Output.class);
            checked.add(name(s));
        }
        assertThat(checked).contains("vmaddr vm list", "vmaddr pool add", "vmaddr doctor", "vmaddr nad lint");
    }

    @Test
    void aRequiredNetworkIsTheSameOptionEverywhere() {
        List<String> withNetwork = new ArrayList<>();
        for (CommandLine c : leaves(Main.commandLine())) {
            CommandSpec s = c.getCommandSpec();
            OptionSpec network = s.findOption("--network");
            if (network != null && network.required()) {
                assertThat(s.mixins().values()).as(name(s))
                        .anyMatch(m -> m.userObject() instanceof NetworkOption);
                withNetwork.add(name(s));
            }
        }
        assertThat(withNetwork).contains("vmaddr pool list", "vmaddr reservation remove", "vmaddr allocation release",
                "vmaddr lease show", "vmaddr nic add");
    }

    @Test
    void anOfflineCommandRefusesAnUnknownOutputWithExit2() {
        CliRun doctor = CliRun.offline("doctor", "--config", "/nonexistent.yaml", "--output", "xml");
        assertThat(doctor.exit()).isEqualTo(2);
        assertThat(doctor.err()).contains("--output", "xml");
    }
}
