package dev.vmaddr.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pool", mixinStandardHelpOptions = true, description = "A network's address pools: list, add, remove.",
        subcommands = {PoolCommand.ListCmd.class, PoolCommand.Add.class, PoolCommand.Remove.class},
        footerHeading = "%nExample:%n", footer = "  vmaddr pool add --network lan0 198.18.0.200-198.18.0.220")
public final class PoolCommand {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a network's pools.",
            footerHeading = "%nExample:%n", footer = "  vmaddr pool list --network lan0")
    static final class ListCmd extends ClientCommand {
        @Mixin
        NetworkOption network;

        @Override
        void run(ApiClient api) {
            print(api.get(network.path() + "/pools"), "range");
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a pool (FIRST-LAST) to a network.",
            footerHeading = "%nExample:%n", footer = "  vmaddr pool add --network lan0 198.18.0.200-198.18.0.220")
    static final class Add extends ClientCommand {
        @Mixin
        NetworkOption network;
        @Parameters(paramLabel = "FIRST-LAST")
        String range;

        @Override
        void run(ApiClient api) {
            print(api.post(network.path() + "/pools", Map.of("range", range)));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a pool from a network.",
            footerHeading = "%nExample:%n", footer = "  vmaddr pool remove --network lan0 198.18.0.200-198.18.0.220")
    static final class Remove extends ClientCommand {
        @Mixin
        NetworkOption network;
        @Parameters(paramLabel = "FIRST-LAST")
        String range;

        @Override
        void run(ApiClient api) {
            delete(api, network.path() + "/pools/" + ApiClient.seg(range), "removed pool " + range + " from " + network.name);
        }
    }
}
