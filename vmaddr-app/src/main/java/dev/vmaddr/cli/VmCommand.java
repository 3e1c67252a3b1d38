package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.api.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "vm", mixinStandardHelpOptions = true,
        description = "VMs and their NICs: MAC (spec, pending, observed), address, drift, exports.",
        subcommands = {VmCommand.ListCmd.class, VmCommand.Create.class, VmCommand.Show.class, VmCommand.Start.class,
                VmCommand.Stop.class, VmCommand.Restart.class, VmCommand.Delete.class, VmCommand.Drift.class,
                VmCommand.Export.class},
        footerHeading = "%nExamples:%n", footer = {"  vmaddr vm create web1 --host hv1 --nic nic0=lan0",
                "  vmaddr vm drift web1 --output json"})
public final class VmCommand {
    static final String[] VM_COLUMNS = {"name", "host", "state", "nics"};
    /** One row per NIC: spec, pending and observed MAC side by side. */
    static final String[] NIC_COLUMNS = {"vm", "nic", "network", "mac", "pendingMac", "observedMac", "ip", "ipv6Slaac", "ipv6"};
    static final String[] DRIFT_COLUMNS = {"vm", "nic", "kind", "expected", "observed", "fix"};

    static String vmPath(String vm) {
        return "/api/v1/vms/" + ApiClient.seg(vm);
    }

    /** NIC rows of one or more VMs, for tables. */
    static ArrayNode nicRows(Iterable<JsonNode> vms) {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        for (JsonNode vm : vms) {
            for (JsonNode nic : vm.path("nics")) {
                ObjectNode r = rows.addObject();
                r.put("vm", vm.path("name").asText());
                r.set("nic", nic.path("name"));
                r.set("network", nic.path("network"));
                r.set("mac", nic.path("mac"));
                r.set("pendingMac", nic.path("pendingMac"));
                r.set("observedMac", nic.path("observed").path("mac"));
                r.set("ip", nic.path("ip"));
                r.set("ipv6Slaac", nic.path("ipv6Slaac"));
                r.set("ipv6", nic.path("ipv6"));
            }
        }
        return rows;
    }

    /** A VM: the whole answer as JSON, its NICs as a table. */
    abstract static class VmAnswer extends ClientCommand {
        void printVm(JsonNode vm) {
            if (options.output.json()) {
                print(vm);
            } else {
                out().println(vm.path("name").asText() + " on " + vm.path("host").asText("-") + ": " + vm.path("state").asText());
                print(nicRows(List.of(vm)), NIC_COLUMNS);
            }
        }
    }

    /** start, stop, restart: POST to the VM's sub-path named like the command; the answer is the VM. */
    abstract static class VmAction extends VmAnswer {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(ApiClient api) {
            printVm(api.post(vmPath(name) + "/" + spec.name(), null));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List VMs.",
            footerHeading = "%nExample:%n", footer = "  vmaddr vm list --output json")
    static final class ListCmd extends ClientCommand {
        @Override
        void run(ApiClient api) {
            JsonNode vms = api.get("/api/v1/vms");
            if (options.output.json()) {
                print(vms);
            } else {
                print(nicRows(vms), NIC_COLUMNS);
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a VM (stopped). Each NIC gets a MAC from the pool (or the one given) and a reserved address.",
            footerHeading = "%nExamples:%n", footer = {"  vmaddr vm create web1 --host hv1 --nic nic0=lan0",
                    "  vmaddr vm create db1 --host hv2 --nic nic0=lan0,52:54:00:12:34:56 --nic nic1=lan1"})
    static final class Create extends VmAnswer {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--host", description = "Host the VM runs on.")
        String host;
        @Option(names = "--nic", paramLabel = "NIC=NETWORK[,MAC]", description = "A NIC on a network, optionally with a given MAC.")
        List<String> nics = new ArrayList<>();

        @Override
        void run(ApiClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            putIf(body, "host", host);
            List<Map<String, Object>> list = new ArrayList<>();
            for (String spec : nics) {
                list.add(NicCommand.parseNic(spec));
            }
            body.put("nics", list);
            printVm(api.post("/api/v1/vms", body));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a VM: spec, pending and observed MAC per NIC.",
            footerHeading = "%nExample:%n", footer = "  vmaddr vm show web1")
    static final class Show extends VmAnswer {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(ApiClient api) {
            printVm(api.get(vmPath(name)));
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a VM (a pending MAC is applied).",
            footerHeading = "%nExample:%n", footer = "  vmaddr vm start web1")
    static final class Start extends VmAction {
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop a VM (NICs on release: on-stop networks give address and MAC back).",
            footerHeading = "%nExample:%n", footer = "  vmaddr vm stop web1")
    static final class Stop extends VmAction {
    }

    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart a VM: pending MACs become the spec.",
            footerHeading = "%nExample:%n", footer = "  vmaddr vm restart web1")
    static final class Restart extends VmAction {
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a VM; its NICs give back address and MAC as their network's release policy says.",
            footerHeading = "%nExample:%n", footer = "  vmaddr vm delete web1")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(ApiClient api) {
            delete(api, vmPath(name), "deleted " + name);
        }
    }

    @Command(name = "drift", mixinStandardHelpOptions = true,
            description = "Where spec, pending and observed MAC/IP disagree, with the fix; every VM when no NAME.",
            footerHeading = "%nExamples:%n", footer = {"  vmaddr vm drift", "  vmaddr vm drift web1 --output json"})
    static final class Drift extends ClientCommand {
        @Parameters(paramLabel = "NAME", arity = "0..1")
        String name;

        @Override
        void run(ApiClient api) {
            List<JsonNode> reports = new ArrayList<>();
            if (name != null) {
                reports.add(api.get(vmPath(name) + "/drift"));
            } else {
                for (JsonNode vm : api.get("/api/v1/vms")) {
                    reports.add(api.get(vmPath(vm.path("name").asText()) + "/drift"));
                }
            }
            if (options.output.json()) {
                // One VM: its report; every VM: an array of reports.
                print(name != null ? reports.getFirst() : Json.MAPPER.createArrayNode().addAll(reports));
            } else {
                print(rows(reports), DRIFT_COLUMNS);
            }
        }

        private static ArrayNode rows(List<JsonNode> reports) {
            ArrayNode rows = Json.MAPPER.createArrayNode();
            for (JsonNode d : reports) {
                for (JsonNode f : d.path("findings")) {
                    ObjectNode r = ((ObjectNode) f.deepCopy());
                    ObjectNode row = rows.addObject();
                    row.set("vm", d.path("vm"));
                    row.setAll(r);
                }
            }
            return rows;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "libvirt <interface> XML, qemu -nic arguments, or a KubeVirt VM snippet with its NADs.",
            footerHeading = "%nExamples:%n", footer = {"  vmaddr vm export web1 --format libvirt",
                    "  vmaddr vm export web1 --format kubevirt --cni macvlan"})
    static final class Export extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--format", required = true, description = "libvirt, qemu or kubevirt")
        String format;
        @Option(names = "--cni", description = "NAD type for kubevirt: bridge (default) or macvlan (with tuning)")
        String cni;

        @Override
        void run(ApiClient api) {
            printExport(api, vmPath(name), format, cni);
        }
    }
}
