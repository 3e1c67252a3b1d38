package dev.vmaddr.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "nic", mixinStandardHelpOptions = true, description = "A VM's NICs: add, remove, set the MAC.",
        subcommands = {NicCommand.Add.class, NicCommand.Remove.class, NicCommand.SetMac.class},
        footerHeading = "%nExample:%n", footer = "  vmaddr nic set-mac web1 nic0 52:54:00:aa:bb:cc")
public final class NicCommand {
    /** {@code NIC=NETWORK[,MAC]} → the API's NIC body. */
    static Map<String, Object> parseNic(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new CliException(CliException.BAD_INPUT, "--nic: \"" + spec + "\" is not NIC=NETWORK[,MAC]");
        }
        String[] rest = spec.substring(eq + 1).split(",", 2);
        Map<String, Object> nic = new LinkedHashMap<>();
        nic.put("name", spec.substring(0, eq));
        nic.put("network", rest[0]);
        nic.put("mac", rest.length > 1 ? rest[1] : null);
        return nic;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a NIC: a MAC (from the pool or given) and a reserved address.",
            footerHeading = "%nExample:%n", footer = "  vmaddr nic add web1 nic1 --network lan1 --mac 52:54:00:12:34:57")
    static final class Add extends ClientCommand {
        @Mixin
        NicParameters target;
        @Mixin
        NetworkOption network;
        @Option(names = "--mac", description = "A given MAC; default: one from the pool.")
        String mac;

        @Override
        void run(ApiClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", target.nic);
            body.put("network", network.name);
            body.put("mac", mac);
            print(api.post(target.nicsPath(), body));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a NIC; it gives back address and MAC as its network's release policy says.",
            footerHeading = "%nExample:%n", footer = "  vmaddr nic remove web1 nic1")
    static final class Remove extends ClientCommand {
        @Mixin
        NicParameters target;

        @Override
        void run(ApiClient api) {
            delete(api, target.path(), "removed " + target.nic + " from " + target.vm);
        }
    }

    @Command(name = "set-mac", mixinStandardHelpOptions = true,
            description = "Set a NIC's MAC: claimed now, pending until the VM restarts (a stopped VM: its next start).",
            footerHeading = "%nExample:%n", footer = "  vmaddr nic set-mac web1 nic0 52:54:00:aa:bb:cc")
    static final class SetMac extends ClientCommand {
        @Mixin
        NicParameters target;
        @Parameters(index = "2", paramLabel = "MAC")
        String mac;

        @Override
        void run(ApiClient api) {
            print(api.put(target.path() + "/mac", Map.of("mac", mac)));
        }
    }
}
