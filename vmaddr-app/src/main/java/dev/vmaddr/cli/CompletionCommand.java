package dev.vmaddr.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print the bash (and zsh via bashcompinit) completion script for vmaddr.",
        footerHeading = "%nExample:%n", footer = {"  source <(vmaddr completion)",
                "  vmaddr completion > /etc/bash_completion.d/vmaddr"})
public final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("vmaddr", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
