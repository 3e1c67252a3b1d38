package dev.vmaddr.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.DriftFinding;
import dev.vmaddr.vm.GuestReports;
import dev.vmaddr.vm.Vm;
import dev.vmaddr.vm.VmDrift;
import dev.vmaddr.vm.VmInventory.NicRequest;
import dev.vmaddr.vm.VmInventory;
import dev.vmaddr.vm.VmJson;
import dev.vmaddr.vm.export.ExportException;
import dev.vmaddr.vm.export.ExportFormat;
import dev.vmaddr.vm.export.KubevirtExport;
import dev.vmaddr.vm.export.LibvirtExport;
import dev.vmaddr.vm.export.QemuExport;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * VMs and their NICs ({@link VmInventory}), guest reports, drift and exports. Shapes are PRODUCT.md's
 * fixed contract: a VM is {@code {"name","host","state","nics":[{"name","network","mac","pendingMac",
 * "ip","ipv6Slaac","ipv6","observed"}]}}.
 */
public final class VmRoutes implements RouteGroup {
    private static final String BASE = "/api/v1/vms";

    /** Writes a network's NAD ({@code dev.vmaddr.nad.NadExporter}); the second argument is the CNI type ("bridge" or "macvlan"). */
    private final BiFunction<NetworkSpec, String, String> nad;
    private final VmInventory inventory;
    private final VmDrift drift;
    private final GuestReports reports;

    public VmRoutes(VmInventory inventory, VmDrift drift, GuestReports reports, BiFunction<NetworkSpec, String, String> nad) {
        this.inventory = inventory;
        this.drift = drift;
        this.reports = reports;
        this.nad = nad;
    }

    @Override
    public void register(RouteTable t) {
        t.get(BASE, "List VMs").handle(ctx -> ctx.json(inventory.list().stream().map(v -> VmJson.view(inventory.view(v))).toList()));
        t.post(BASE, "Create a VM; each NIC gets a MAC (from the pool unless given) and a reserved address."
                        + " With cloneOf: a copy of that VM's NICs and networks, with new MACs unless keepMacs (then it"
                        + " takes over the stopped source's MACs and addresses)")
                .errors(400, 404, 409)
                .body("{\"name\",\"host\",\"nics\":[{\"name\",\"network\",\"mac\":null}]} or {\"name\",\"host\",\"cloneOf\",\"keepMacs\":false}")
                .handle(ctx -> {
                    record Req(String name, String host, List<NicRequest> nics, String cloneOf, boolean keepMacs) {}
                    Req req = Json.readBody(ctx.body(), f -> {
                        String name = f.required("name", s -> s);
                        String host = f.string("host");
                        String cloneOf = f.string("cloneOf");
                        Boolean keepMacs = f.bool("keepMacs");
                        List<NicRequest> nics = new ArrayList<>();
                        for (var n : f.children("nics")) {
                            nics.add(nicRequest(n));
                        }
                        if (cloneOf != null && f.has("nics")) {
                            f.problems().add(f.field("nics"), "a clone has its source's NICs: give cloneOf or nics, not both");
                        }
                        if (cloneOf == null && keepMacs != null) {
                            f.problems().add(f.field("keepMacs"), "only with cloneOf");
                        }
                        f.rejectUnknown();
                        return new Req(name, host, nics, cloneOf, Boolean.TRUE.equals(keepMacs));
                    });
                    Vm vm = req.cloneOf() != null ? inventory.cloneOf(req.name(), req.host(), req.cloneOf(), req.keepMacs())
                            : inventory.create(req.name(), req.host(), req.nics());
                    ctx.status(201).json(VmJson.view(inventory.view(vm)));
                });
        t.get(BASE + "/{vm}", "Show a VM: spec, pending and observed MAC per NIC").errors(404)
                .handle(ctx -> ctx.json(VmJson.view(inventory.view(inventory.get(ctx.pathParam("vm"))))));
        t.delete(BASE + "/{vm}", "Delete a VM; its NICs give back address and MAC per the network's release policy")
                .errors(404).handle(ctx -> {
                    inventory.delete(ctx.pathParam("vm"));
                    ctx.status(204);
                });
        t.post(BASE + "/{vm}/start", "Start: pending MACs are applied").success(200).errors(404, 409)
                .handle(ctx -> ctx.json(VmJson.view(inventory.view(inventory.start(ctx.pathParam("vm"))))));
        t.post(BASE + "/{vm}/stop", "Stop: on-stop networks get address and MAC back").success(200).errors(404)
                .handle(ctx -> ctx.json(VmJson.view(inventory.view(inventory.stop(ctx.pathParam("vm"))))));
        t.post(BASE + "/{vm}/restart", "Restart: pending MACs become the spec").success(200).errors(404, 409)
                .handle(ctx -> ctx.json(VmJson.view(inventory.view(inventory.restart(ctx.pathParam("vm"))))));
        t.post(BASE + "/{vm}/migrate", "The VM now runs on another host (MACs and addresses stay)").success(200)
                .errors(400, 404).body("{\"host\"}").handle(ctx -> {
                    String host = Json.readBody(ctx.body(), f -> {
                        String h = f.required("host", s -> s);
                        f.rejectUnknown();
                        return h;
                    });
                    ctx.json(VmJson.view(inventory.view(inventory.migrate(ctx.pathParam("vm"), host))));
                });

        t.get(BASE + "/{vm}/nics", "List a VM's NICs").errors(404)
                .handle(ctx -> ctx.json(VmJson.view(inventory.view(inventory.get(ctx.pathParam("vm")))).get("nics")));
        t.post(BASE + "/{vm}/nics", "Add a NIC").errors(400, 404, 409).body("{\"name\",\"network\",\"mac\":null}").handle(ctx -> {
            NicRequest r = Json.readBody(ctx.body(), VmRoutes::nicRequest);
            Vm vm = inventory.addNic(ctx.pathParam("vm"), r);
            ctx.status(201).json(VmJson.nic(inventory.view(vm, r.name())));
        });
        t.delete(BASE + "/{vm}/nics/{nic}", "Remove a NIC").errors(404).handle(ctx -> {
            inventory.removeNic(ctx.pathParam("vm"), ctx.pathParam("nic"));
            ctx.status(204);
        });
        t.put(BASE + "/{vm}/nics/{nic}/mac", "Set a NIC's MAC: pending until the VM restarts").errors(400, 404, 409)
                .body("{\"mac\"}").handle(ctx -> {
                    MacAddress mac = Json.readBody(ctx.body(), f -> {
                        MacAddress m = f.required("mac", MacAddress::parse);
                        f.rejectUnknown();
                        return m;
                    });
                    String vm = ctx.pathParam("vm");
                    String nic = ctx.pathParam("nic");
                    inventory.setMac(vm, nic, mac);
                    ctx.json(VmJson.nic(inventory.view(inventory.get(vm), nic)));
                });

        t.post(BASE + "/{vm}/observed", "Report what the guest sees (qemu-guest-agent or kubevirt)").success(200)
                .errors(400, 404)
                .body("{\"source\":\"qemu-guest-agent\"|\"kubevirt\",\"interfaces\":[...]}").handle(ctx -> {
                    JsonNode body = Json.readRequest(ctx.body());
                    Vm vm = inventory.report(ctx.pathParam("vm"), reports.parse(body));
                    ctx.json(VmJson.view(inventory.view(vm)));
                });
        t.get(BASE + "/{vm}/drift", "Where spec, pending and observed disagree, with fixes").errors(404).handle(ctx -> {
            String vm = ctx.pathParam("vm");
            List<DriftFinding> findings = drift.findings(vm);
            ctx.json(VmJson.drift(vm, findings));
        });
        t.get(BASE + "/{vm}/export", "libvirt <interface> XML, qemu -nic arguments, or KubeVirt VM + NAD YAML")
                .errors(400, 404, 409).query("format", "cni").handle(ctx -> {
                    Vm vm = inventory.get(ctx.pathParam("vm"));
                    ExportFormat format = format(ctx, ExportFormat.LIBVIRT, ExportFormat.QEMU, ExportFormat.KUBEVIRT);
                    String cni = cni(ctx);
                    String body = switch (format) {
                        case LIBVIRT -> LibvirtExport.domainInterfaces(vm, inventory::network);
                        case QEMU -> QemuExport.nicArguments(vm, inventory::network);
                        default -> KubevirtExport.virtualMachine(vm, inventory::network, n -> nad(n, cni));
                    };
                    ctx.contentType(format.mediaType()).result(body);
                });
        t.get("/api/v1/networks/{network}/drift", "MACs that leased here and belong to no VM NIC; client-ids bound from several MACs (clones)").errors(404).handle(ctx -> {
            String name = ctx.pathParam("network");
            inventory.network(name);
            ctx.json(VmJson.drift(null, drift.networkFindings(name)));
        });
    }

    /** The NAD writer refuses a network it cannot express (no bridge; macvlan with a VLAN) with IllegalArgumentException: a 409. */
    private String nad(NetworkSpec n, String cni) {
        try {
            return nad.apply(n, cni);
        } catch (IllegalArgumentException e) {
            throw new ExportException(e.getMessage());
        }
    }

    private static NicRequest nicRequest(dev.vmaddr.config.Fields f) {
        NicRequest n = new NicRequest(f.required("name", s -> s), f.required("network", s -> s), f.value("mac", MacAddress::parse));
        f.rejectUnknown();
        return n;
    }

    private static ExportFormat format(Context ctx, ExportFormat... allowed) {
        String q = ctx.queryParam("format");
        if (q == null) {
            return allowed[0];
        }
        for (ExportFormat f : allowed) {
            if (f.wireName().equals(q)) {
                return f;
            }
        }
        throw ApiProblem.badRequest("format", "\"" + q + "\" is not one of "
                + String.join(", ", java.util.Arrays.stream(allowed).map(ExportFormat::wireName).toList()));
    }

    private static String cni(Context ctx) {
        String q = ctx.queryParam("cni");
        if (q == null || q.equals("bridge") || q.equals("macvlan")) {
            return q == null ? "bridge" : q;
        }
        throw ApiProblem.badRequest("cni", "\"" + q + "\" is not bridge or macvlan");
    }
}
