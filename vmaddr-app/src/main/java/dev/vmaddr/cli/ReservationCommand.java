package dev.vmaddr.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reservation", mixinStandardHelpOptions = true, description = "Fixed addresses (MAC or client-id → IP): list, add, remove.",
        subcommands = {ReservationCommand.ListCmd.class, ReservationCommand.Add.class, ReservationCommand.Remove.class},
        footerHeading = "%nExample:%n", footer = "  vmaddr reservation add --network lan0 --mac 02:18:aa:00:00:50 --ip 198.18.0.50 --hostname db1")
public final class ReservationCommand {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a network's reservations.",
            footerHeading = "%nExample:%n", footer = "  vmaddr reservation list --network lan0")
    static final class ListCmd extends ClientCommand {
        @Mixin
        NetworkOption network;

        @Override
        void run(ApiClient api) {
            print(api.get(network.path() + "/reservations"), "ip", "mac", "clientId", "hostname");
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Reserve an address for a MAC or a client-id.",
            footerHeading = "%nExample:%n", footer = "  vmaddr reservation add --network lan0 --mac 02:18:aa:00:00:50 --ip 198.18.0.50")
    static final class Add extends ClientCommand {
        @Mixin
        NetworkOption network;
        @Option(names = "--mac")
        String mac;
        @Option(names = "--client-id", description = "hex, e.g. 01525400abcdef")
        String clientId;
        @Option(names = "--ip", required = true)
        String ip;
        @Option(names = "--hostname")
        String hostname;
        @Option(names = "--take-over", description = "reserve even when another client's lease holds the address: "
                + "that client is refused at its next renewal and moves to another address (default: refused, 409)")
        boolean takeOver;

        @Override
        void run(ApiClient api) {
            if (mac == null && clientId == null) {
                throw new CliException(CliException.BAD_INPUT, "--mac or --client-id is required");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            putIf(body, "mac", mac);
            putIf(body, "clientId", clientId);
            body.put("ip", ip);
            putIf(body, "hostname", hostname);
            if (takeOver) {
                body.put("takeOver", true);
            }
            print(api.post(network.path() + "/reservations", body));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove the reservation of an address.",
            footerHeading = "%nExample:%n", footer = "  vmaddr reservation remove --network lan0 198.18.0.50")
    static final class Remove extends ClientCommand {
        @Mixin
        NetworkOption network;
        @Parameters(paramLabel = "IP")
        String ip;

        @Override
        void run(ApiClient api) {
            delete(api, network.path() + "/reservations/" + ApiClient.seg(ip), "removed reservation of " + ip + " in " + network.name);
        }
    }
}
