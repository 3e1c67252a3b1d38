package dev.vmaddr.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "network", mixinStandardHelpOptions = true,
        description = "Networks: list, show, create, delete, export; connectivity status and check.",
        subcommands = {NetworkCommand.ListCmd.class, NetworkCommand.Show.class, NetworkCommand.Create.class, NetworkCommand.Delete.class,
                NetworkCommand.Status.class, NetworkCommand.Check.class, NetworkCommand.Export.class},
        footerHeading = "%nExample:%n", footer = "  vmaddr network list --output json")
public final class NetworkCommand {
    static final String[] COLUMNS = {"name", "cidr", "gateway", "pools", "vlan", "bridge"};

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List networks.",
            footerHeading = "%nExample:%n", footer = "  vmaddr network list --config vmaddr.yaml")
    static final class ListCmd extends ClientCommand {
        @Override
        void run(ApiClient api) {
            print(api.get("/api/v1/networks"), COLUMNS);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one network with its pool usage.",
            footerHeading = "%nExample:%n", footer = "  vmaddr network show lan0")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(ApiClient api) {
            var n = (com.fasterxml.jackson.databind.node.ObjectNode) api.get(networkPath(name));
            n.set("stats", api.get(networkPath(name) + "/stats"));
            print(n);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a network (the same fields as the config file's networks: entries).",
            footerHeading = "%nExample:%n",
            footer = "  vmaddr network create t1 --cidr 198.18.4.0/22 --gateway 198.18.4.1 --pool 198.18.4.10-198.18.7.250")
    static final class Create extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--cidr", required = true, description = "e.g. 198.18.4.0/22")
        String cidr;
        @Option(names = "--gateway")
        String gateway;
        @Option(names = "--pool", paramLabel = "FIRST-LAST", description = "Repeatable.")
        List<String> pools = List.of();
        @Option(names = "--exclude", paramLabel = "IP|RANGE", description = "Repeatable.")
        List<String> exclude = List.of();
        @Option(names = "--dns", paramLabel = "IP", description = "Repeatable.")
        List<String> dns = List.of();
        @Option(names = "--domain")
        String domain;
        @Option(names = "--mtu")
        Integer mtu;
        @Option(names = "--vlan")
        Integer vlan;
        @Option(names = "--bridge")
        String bridge;
        @Option(names = "--lease-time", paramLabel = "DURATION", description = "e.g. 1h, 120s")
        String leaseTime;

        @Override
        void run(ApiClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("cidr", cidr);
            putIf(body, "gateway", gateway);
            body.put("pools", pools);
            body.put("exclude", exclude);
            body.put("dns", dns);
            putIf(body, "domain", domain);
            putIf(body, "mtu", mtu);
            putIf(body, "vlan", vlan);
            putIf(body, "bridge", bridge);
            putIf(body, "leaseTime", leaseTime);
            print(api.post("/api/v1/networks", body));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a network and its leases.",
            footerHeading = "%nExample:%n", footer = "  vmaddr network delete t1")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(ApiClient api) {
            delete(api, networkPath(name), "deleted network " + name);
        }
    }

    static final String[] STATUS_COLUMNS = {"network", "mode", "status", "reason", "cidr", "gateway", "checkedAt"};

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Connectivity status (Active/Inactive/Unknown, reason, learned CIDR and gateway) of one network or all.",
            footerHeading = "%nExamples:%n", footer = {"  vmaddr network status", "  vmaddr network status lan0 --output json"})
    static final class Status extends ClientCommand {
        @Parameters(paramLabel = "NAME", arity = "0..1", description = "One network; all when left out.")
        String name;

        @Override
        void run(ApiClient api) {
            print(name == null ? api.get("/api/v1/connectivity") : api.get(networkPath(name) + "/status"), STATUS_COLUMNS);
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a network's connectivity now (from the network itself) and print the status.",
            footerHeading = "%nExample:%n", footer = "  vmaddr network check lan0")
    static final class Check extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(ApiClient api) {
            print(api.post(networkPath(name) + "/check", null), STATUS_COLUMNS);
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "The network as libvirt <network> XML or a Multus NAD.",
            footerHeading = "%nExamples:%n", footer = {"  vmaddr network export lan0 --format libvirt",
                    "  vmaddr network export lan0 --format libvirt --mode nat",
                    "  vmaddr network export lan0 --format nad --cni macvlan",
                    "  vmaddr network export lan0 --format nad --ipam vmaddr --ipam-server unix:/run/vmaddr/api.sock"})
    static final class Export extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--format", required = true, description = "libvirt or nad")
        String format;
        @Option(names = "--cni", description = "NAD type: bridge (default) or macvlan (with the tuning plugin)")
        String cni;
        @Option(names = "--mode", description = "libvirt: bridge (vmaddr serves DHCP on the bridge: no <dhcp>), nat or "
                + "isolated (libvirt's dnsmasq with vmaddr's pools and reservations); default: bridge when this server "
                + "serves the network's DHCP, else nat")
        String mode;

        @Option(names = "--ipam", description = "NAD IPAM: vmaddr (the CNI IPAM plugin); default an empty section (DHCP)")
        String ipam;
        @Option(names = "--ipam-server", description = "with --ipam vmaddr: the API the plugin calls (default unix:/run/vmaddr/api.sock)")
        String ipamServer;
        @Option(names = "--ipam-token-file", description = "with --ipam vmaddr: the token file on the node (default /etc/vmaddr/api-token)")
        String ipamTokenFile;

        @Override
        void run(ApiClient api) {
            String q = (mode == null ? "" : "&mode=" + ApiClient.seg(mode))
                    + (ipam == null ? "" : "&ipam=" + ApiClient.seg(ipam))
                    + (ipamServer == null ? "" : "&ipamServer=" + ApiClient.seg(ipamServer))
                    + (ipamTokenFile == null ? "" : "&ipamTokenFile=" + ApiClient.seg(ipamTokenFile));
            printExport(api, networkPath(name), format, cni, q);
        }
    }
}
