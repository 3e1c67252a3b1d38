package dev.vmaddr.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mac", mixinStandardHelpOptions = true, description = "The MAC pool: list, allocate, claim, release.",
        subcommands = {MacCommand.ListCmd.class, MacCommand.Allocate.class, MacCommand.Claim.class, MacCommand.Release.class},
        footerHeading = "%nExample:%n", footer = "  vmaddr mac allocate --owner vm/web1/nic0")
public final class MacCommand {
    static final String[] COLUMNS = {"mac", "state", "owner", "until"};

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List MACs that are not free.",
            footerHeading = "%nExample:%n", footer = "  vmaddr mac list --output json")
    static final class ListCmd extends ClientCommand {
        @Override
        void run(ApiClient api) {
            print(api.get("/api/v1/macs"), COLUMNS);
        }
    }

    @Command(name = "allocate", mixinStandardHelpOptions = true, description = "Allocate a free MAC from the pool.",
            footerHeading = "%nExample:%n", footer = "  vmaddr mac allocate --owner vm/web1/nic0")
    static final class Allocate extends ClientCommand {
        @Option(names = "--owner", description = "Who holds it, e.g. vm/web1/nic0.")
        String owner;

        @Override
        void run(ApiClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            putIf(body, "owner", owner);
            print(api.post("/api/v1/macs", body));
        }
    }

    @Command(name = "claim", mixinStandardHelpOptions = true, description = "Claim a given MAC (fails when it is taken).",
            footerHeading = "%nExample:%n", footer = "  vmaddr mac claim 52:54:00:12:34:56 --owner vm/web1/nic0")
    static final class Claim extends ClientCommand {
        @Parameters(paramLabel = "MAC")
        String mac;
        @Option(names = "--owner")
        String owner;

        @Override
        void run(ApiClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("mac", mac);
            putIf(body, "owner", owner);
            print(api.post("/api/v1/macs", body));
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Release a MAC.",
            footerHeading = "%nExample:%n", footer = "  vmaddr mac release 52:54:00:12:34:56")
    static final class Release extends ClientCommand {
        @Parameters(paramLabel = "MAC")
        String mac;

        @Override
        void run(ApiClient api) {
            delete(api, "/api/v1/macs/" + ApiClient.seg(mac), "released " + mac);
        }
    }
}
