package dev.vmaddr.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "allocation", mixinStandardHelpOptions = true,
        description = "Allocate an address for a MAC or client-id (optionally a requested one), or release it.",
        subcommands = {AllocationCommand.Create.class, AllocationCommand.Release.class},
        footerHeading = "%nExample:%n", footer = "  vmaddr allocation create --network lan0 --mac 02:18:00:00:00:01")
public final class AllocationCommand {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Allocate an address; prints the lease.",
            footerHeading = "%nExample:%n", footer = "  vmaddr allocation create --network lan0 --mac 02:18:00:00:00:01 --ip 198.18.0.120")
    static final class Create extends ClientCommand {
        @Mixin
        NetworkOption network;
        @Option(names = "--mac", required = true)
        String mac;
        @Option(names = "--client-id", description = "hex")
        String clientId;
        @Option(names = "--ip", description = "requested address")
        String ip;
        @Option(names = "--hostname")
        String hostname;
        @Option(names = "--lease-time", paramLabel = "DURATION")
        String leaseTime;

        @Override
        void run(ApiClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("mac", mac);
            putIf(body, "clientId", clientId);
            putIf(body, "ip", ip);
            putIf(body, "hostname", hostname);
            putIf(body, "leaseTime", leaseTime);
            print(api.post(network.path() + "/allocations", body));
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Release an allocated address.",
            footerHeading = "%nExample:%n", footer = "  vmaddr allocation release --network lan0 198.18.0.120")
    static final class Release extends ClientCommand {
        @Mixin
        NetworkOption network;
        @Parameters(paramLabel = "IP")
        String ip;

        @Override
        void run(ApiClient api) {
            delete(api, network.path() + "/allocations/" + ApiClient.seg(ip), "released " + ip + " in " + network.name);
        }
    }
}
