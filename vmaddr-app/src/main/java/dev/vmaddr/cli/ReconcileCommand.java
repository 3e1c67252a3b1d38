package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.kubevirt.KubevirtException;
import dev.vmaddr.kubevirt.KubevirtManifests;
import dev.vmaddr.kubevirt.KubevirtVm;
import dev.vmaddr.libvirt.Domain;
import dev.vmaddr.libvirt.DomainXml;
import dev.vmaddr.libvirt.LibvirtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Bring VMs in line with libvirt domain definitions or KubeVirt VirtualMachine/VirtualMachineInstance "
                + "manifests: print what is claimed, released and flagged, per VM and NIC; without --dry-run apply it "
                + "(claims, and for kubevirt starts and stops, all or nothing).",
                "An address whose holder was seen within its network's lease time, or whose MAC a VMI's status shows, "
                        + "is never released (flagged seen-recently)."},
        footerHeading = "%nExamples:%n", footer = {"  virsh dumpxml web1 > web1.xml",
                "  vmaddr reconcile --from libvirt web1.xml db1.xml --dry-run --config vmaddr.yaml",
                "  kubectl get vm,vmi -n prod -o yaml > prod.yaml",
                "  vmaddr reconcile --from kubevirt prod.yaml --dry-run"})
public final class ReconcileCommand extends ClientCommand {
    static final String[] CLAIMED = {"vm", "nic", "mac", "network"};
    static final String[] RELEASED = {"vm", "nic", "mac", "ip", "network"};
    static final String[] FLAGGED = {"vm", "nic", "kind", "mac", "detail", "fix"};

    @Option(names = "--from", required = true, paramLabel = "KIND", description = "libvirt (domain XML, as virsh dumpxml prints it) "
            + "or kubevirt (VirtualMachine/VirtualMachineInstance YAML or JSON, several documents per file).")
    String from;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Domain definitions (every domain of the host), or "
            + "manifests (every VM that vmaddr should know of; other kinds in them are skipped).")
    List<Path> files;

    @Option(names = "--dry-run", description = "Print the plan; change nothing.")
    boolean dryRun;

    @Override
    void run(ApiClient api) {
        if (!"libvirt".equals(from) && !"kubevirt".equals(from)) {
            throw new CliException(CliException.BAD_INPUT, "--from: libvirt or kubevirt, not \"" + from + "\"");
        }
        List<Map<String, Object>> docs = new ArrayList<>();
        List<KubevirtVm> kubevirt = new ArrayList<>();
        for (Path f : files) {
            String content;
            try {
                content = Files.readString(f);
            } catch (IOException e) {
                throw new CliException(CliException.BAD_INPUT, f + ": cannot read: " + e.getMessage());
            }
            try { // file:line here, before anything is sent
                if ("kubevirt".equals(from)) {
                    kubevirt.addAll(KubevirtManifests.parse(content, f.toString()));
                } else {
                    DomainXml.parse(content, f.toString(), Domain.SHUT_OFF);
                }
            } catch (LibvirtException | KubevirtException e) {
                throw new CliException(CliException.BAD_INPUT, e.getMessage());
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("name", f.toString());
            doc.put("content", content);
            docs.add(doc);
        }
        try {
            KubevirtManifests.combine(kubevirt);
        } catch (KubevirtException e) {
            throw new CliException(CliException.BAD_INPUT, e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", from);
        body.put("files", docs);
        body.put("dryRun", dryRun);
        JsonNode r = api.post("/api/v1/reconcile", body);
        if (options.output.json()) {
            print(r);
        } else {
            out().println(dryRun ? "dry run: nothing written" : r.path("applied").asBoolean() ? "applied" : "NOT applied");
            section("claimed", r.path("claimed"), CLAIMED);
            section("released", r.path("released"), RELEASED);
            section("flagged", r.path("flagged"), FLAGGED);
            List<String> runs = new ArrayList<>(); // kubevirt manifests say whether a VM runs
            for (JsonNode v : r.path("vms")) {
                for (JsonNode step : v.path("steps")) {
                    if (step.asText().equals("start") || step.asText().equals("stop")) {
                        runs.add(step.asText() + " " + v.path("name").asText());
                    }
                }
            }
            if (!runs.isEmpty()) {
                out().println();
                out().println("started/stopped: " + runs.size());
                runs.forEach(x -> out().println("  " + x));
            }
            for (JsonNode e : r.path("errors")) {
                out().println("error: " + e.asText());
            }
            out().flush();
        }
        if (!dryRun && !r.path("applied").asBoolean()) {
            throw new CliException(CliException.FAILED, "reconcile not applied: " + r.path("errors"));
        }
    }

    private void section(String title, JsonNode rows, String[] columns) {
        out().println();
        out().println(title + ": " + rows.size());
        if (!rows.isEmpty()) {
            print(rows, columns);
        }
    }
}
