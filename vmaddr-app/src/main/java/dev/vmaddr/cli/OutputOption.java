package dev.vmaddr.cli;

import picocli.CommandLine.Option;

/**
 * {@code -o/--output table|json}, as a mixin: every command that prints has it with the same name,
 * values and default (PRODUCT.md: noun, verb, {@code --output}), and anything else is refused by
 * picocli with exit 2, whether the command talks to a server or works offline.
 */
public final class OutputOption {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Output format;

    boolean json() {
        return format == Output.json;
    }
}
