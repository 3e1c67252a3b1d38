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

@Command(name = "libvirt", mixinStandardHelpOptions = true,
        description = "Keep VMs in step with libvirt's domains (the server runs virsh on its host).",
        subcommands = {LibvirtCommand.Sync.class},
        footerHeading = "%nExample:%n", footer = "  vmaddr libvirt sync --dry-run --output json")
public final class LibvirtCommand {
    static final String[] VM_COLUMNS = {"name", "action", "nics", "steps"};
    static final String[] CONFLICT_COLUMNS = {"vm", "nic", "kind", "mac", "detail", "fix"};

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = "One sync pass now: print what it changed (with --dry-run: what it would change).",
            footerHeading = "%nExamples:%n", footer = {"  vmaddr libvirt sync --config vmaddr.yaml --dry-run",
                    "  vmaddr libvirt sync --api http://127.0.0.1:8067 --token-file t --uri qemu:///system --output json"})
    static final class Sync extends ClientCommand {
        @Option(names = "--uri", paramLabel = "URI", description = "libvirt URI: a local one (qemu:///system, qemu:///system?socket=/path); default: the server's libvirt.uri.")
        String uri;

        @Option(names = "--dry-run", description = "Plan only; change nothing.")
        boolean dryRun;

        @Override
        void run(ApiClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("dryRun", dryRun);
            putIf(body, "uri", uri);
            JsonNode r = api.post("/api/v1/libvirt/sync", body);
            if (options.output.json()) {
                print(r);
                return;
            }
            print(vmRows(r.path("vms")), VM_COLUMNS);
            if (!r.path("conflicts").isEmpty()) {
                out().println();
                print(r.path("conflicts"), CONFLICT_COLUMNS);
            }
            for (JsonNode e : r.path("errors")) {
                out().println("error: " + e.asText());
            }
            out().flush();
        }
    }

    /** One row per VM, its NICs as {@code name=mac@network}. */
    static ArrayNode vmRows(JsonNode vms) {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        for (JsonNode vm : vms) {
            ObjectNode row = rows.addObject();
            row.set("name", vm.path("name"));
            row.set("action", vm.path("action"));
            List<String> nics = new ArrayList<>();
            for (JsonNode n : vm.path("nics")) {
                nics.add(n.path("name").asText() + "=" + n.path("mac").asText("-") + "@" + n.path("network").asText());
            }
            row.put("nics", String.join(" ", nics));
            List<String> steps = new ArrayList<>();
            vm.path("steps").forEach(s -> steps.add(s.asText()));
            row.put("steps", String.join("; ", steps));
        }
        return rows;
    }
}
