package dev.vmaddr.api;

import dev.vmaddr.kubevirt.KubevirtException;
import dev.vmaddr.kubevirt.KubevirtManifests;
import dev.vmaddr.kubevirt.KubevirtVm;
import dev.vmaddr.libvirt.Domain;
import dev.vmaddr.libvirt.DomainXml;
import dev.vmaddr.libvirt.LibvirtException;
import dev.vmaddr.libvirt.LibvirtSync;
import dev.vmaddr.libvirt.Reconciler;
import dev.vmaddr.libvirt.SyncPlan;
import dev.vmaddr.libvirt.SyncResult;
import dev.vmaddr.libvirt.SyncStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code POST /api/v1/reconcile}: domain definitions or KubeVirt manifests given as files brought in line ({@link Reconciler}).
 *
 * <p>{@code POST /api/v1/libvirt/sync}: one pass of the libvirt sync now ({@code vmaddr libvirt sync}),
 * dry or not, against the configured URI or another one. Answers what it changed (or would change)
 * in the contract's shape; libvirt unreachable is a 503 with virsh's reason.
 */
public final class LibvirtRoutes implements RouteGroup {
    /**
     * A URI a request may name besides the configured one: a local libvirtd ({@code qemu:///system},
     * {@code qemu+unix:///system?socket=/path}) or the test driver. Never a remote transport or a
     * parameter that makes virsh run something ({@code qemu+ext://?command=}, ssh's {@code netcat}):
     * the API must not become a way to run commands or open connections from the server's host.
     */
    static final java.util.regex.Pattern LOCAL_URI =
            java.util.regex.Pattern.compile("[a-z][a-z0-9]*(\\+unix)?:///[^?\\s]*(\\?socket=/[^&\\s]+)?");

    private final String configuredUri;
    private final Function<String, LibvirtSync> syncFor;
    private final Reconciler reconciler;

    /**
     * @param configuredUri the {@code libvirt.uri} of the config; null without a {@code libvirt:} section
     * @param syncFor       the sync for a URI
     */
    public LibvirtRoutes(String configuredUri, Function<String, LibvirtSync> syncFor, Reconciler reconciler) {
        this.configuredUri = configuredUri;
        this.syncFor = syncFor;
        this.reconciler = reconciler;
    }

    private record Req(boolean dryRun, String uri) {}

    @Override
    public void register(RouteTable t) {
        t.post("/api/v1/libvirt/sync", "One libvirt sync pass now: VMs kept in step with the domains (dryRun: only the plan)")
                .success(200).errors(400, 409, 503).body("{\"dryRun\":false,\"uri\":null}").handle(ctx -> {
                    Req req = Json.readBody(ctx.body(), f -> {
                        Boolean dry = f.bool("dryRun");
                        String uri = f.value("uri", u -> {
                            if (!u.equals(configuredUri) && !LOCAL_URI.matcher(u).matches()) {
                                throw new IllegalArgumentException("\"" + u + "\" is not the configured libvirt.uri nor a local one "
                                        + "(qemu:///system, qemu:///system?socket=/path); remote URIs go in the config");
                            }
                            return u;
                        });
                        f.rejectUnknown();
                        return new Req(dry != null && dry, uri);
                    });
                    String uri = req.uri() != null ? req.uri() : configuredUri;
                    if (uri == null) {
                        throw ApiProblem.conflict("this server has no libvirt: section; name the libvirt to sync with: "
                                + "{\"uri\":\"qemu:///system\"} (vmaddr libvirt sync --uri qemu:///system)");
                    }
                    SyncResult r;
                    try {
                        r = syncFor.apply(uri).pass(req.dryRun());
                    } catch (LibvirtException e) {
                        throw ApiProblem.unavailable(e.getMessage());
                    }
                    ctx.json(toMap(r));
                });
        registerReconcile(t);
    }

    private record ReconcileReq(Reconciler.Source from, boolean dryRun, List<Domain> domains, List<Reconciler.Sighting> sightings) {}

    private void registerReconcile(RouteTable t) {
        t.post("/api/v1/reconcile", "Bring VMs in line with libvirt domain definitions or KubeVirt VM/VMI manifests (files); "
                        + "never releases an address "
                        + "whose holder was seen within the lease time; claims all or nothing")
                .success(200).errors(400).body("{\"from\":\"libvirt|kubevirt\",\"files\":[{\"name\",\"content\"}],\"dryRun\":false}")
                .handle(ctx -> {
                    ReconcileReq req = Json.readBody(ctx.body(), f -> {
                        Reconciler.Source from = f.required("from", s -> switch (s) {
                            case "libvirt" -> Reconciler.Source.LIBVIRT;
                            case "kubevirt" -> Reconciler.Source.KUBEVIRT;
                            default -> throw new IllegalArgumentException("libvirt (domain XML) or kubevirt (VirtualMachine "
                                    + "and VirtualMachineInstance YAML/JSON), not \"" + s + "\"");
                        });
                        Boolean dry = f.bool("dryRun");
                        List<Domain> domains = new ArrayList<>();
                        List<KubevirtVm> kubevirt = new ArrayList<>();
                        List<dev.vmaddr.config.Fields> files = f.children("files");
                        for (int i = 0; i < files.size(); i++) {
                            dev.vmaddr.config.Fields file = files.get(i);
                            String name = file.string("name");
                            String content = file.string("content");
                            file.rejectUnknown();
                            if (content == null) {
                                f.problems().add(0, "files[" + i + "].content", "missing");
                                continue;
                            }
                            String fileName = name == null ? "files[" + i + "]" : name;
                            try {
                                if (from == Reconciler.Source.KUBEVIRT) {
                                    kubevirt.addAll(KubevirtManifests.parse(content, fileName));
                                } else if (from != null) {
                                    domains.add(DomainXml.parse(content, fileName, Domain.SHUT_OFF));
                                }
                            } catch (LibvirtException | KubevirtException e) {
                                f.problems().add(0, "files[" + i + "]", e.getMessage());
                            }
                        }
                        List<Reconciler.Sighting> sightings = new ArrayList<>();
                        try {
                            for (KubevirtVm vm : KubevirtManifests.combine(kubevirt)) {
                                domains.add(vm.toDomain());
                                sightings.addAll(vm.sightings());
                            }
                        } catch (KubevirtException e) {
                            f.problems().add(0, "files", e.getMessage());
                        }
                        f.rejectUnknown();
                        return new ReconcileReq(from, dry != null && dry, domains, sightings);
                    });
                    ctx.json(toMap(reconciler.reconcile(req.from(), req.domains(), req.sightings(), req.dryRun())));
                });
    }

    /** {@code {"dryRun","applied","vms":[...],"claimed":[...],"released":[...],"flagged":[...],"errors":[...]}} */
    public static Map<String, Object> toMap(Reconciler.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", r.dryRun());
        m.put("applied", r.applied());
        m.put("vms", toMap(new SyncResult(r.dryRun(), r.plan(), List.of(), List.of())).get("vms"));
        List<Object> claimed = new ArrayList<>();
        for (Reconciler.Claimed c : r.claimed()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("vm", c.vm());
            x.put("nic", c.nic());
            x.put("mac", c.mac() == null ? null : c.mac().toString());
            x.put("network", c.network());
            claimed.add(x);
        }
        m.put("claimed", claimed);
        List<Object> released = new ArrayList<>();
        for (Reconciler.Released c : r.released()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("vm", c.vm());
            x.put("nic", c.nic());
            x.put("mac", c.mac() == null ? null : c.mac().toString());
            x.put("ip", c.ip() == null ? null : c.ip().toString());
            x.put("network", c.network());
            released.add(x);
        }
        m.put("released", released);
        m.put("flagged", toMap(new SyncResult(r.dryRun(), r.plan(), r.flagged(), List.of())).get("conflicts"));
        m.put("errors", r.errors());
        return m;
    }

    /** {@code {"dryRun","vms":[{"name","action","nics":[{"name","mac","network"}]}],"conflicts":[...],"errors":[...]}} */
    public static Map<String, Object> toMap(SyncResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", r.dryRun());
        List<Object> vms = new ArrayList<>();
        for (SyncPlan.VmPlan v : r.plan().vms()) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("name", v.name());
            vm.put("action", v.action().wireName());
            List<Object> nics = new ArrayList<>();
            for (SyncPlan.NicPlan n : v.nics()) {
                Map<String, Object> nic = new LinkedHashMap<>();
                nic.put("name", n.name());
                nic.put("mac", n.mac() == null ? null : n.mac().toString());
                nic.put("network", n.network());
                nics.add(nic);
            }
            vm.put("nics", nics);
            vm.put("steps", v.steps().stream().map(LibvirtRoutes::describe).toList());
            vms.add(vm);
        }
        m.put("vms", vms);
        List<Object> conflicts = new ArrayList<>();
        for (SyncPlan.Conflict c : r.conflicts()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("vm", c.vm());
            x.put("nic", c.nic());
            x.put("kind", c.kind());
            x.put("mac", c.mac() == null ? null : c.mac().toString());
            x.put("detail", c.detail());
            x.put("fix", c.fix());
            conflicts.add(x);
        }
        m.put("conflicts", conflicts);
        m.put("errors", r.errors());
        return m;
    }

    /** A step as one line: {@code create}, {@code add-nic nic1}, {@code define-mac nic0 52:54:00:..:01 -> 52:54:00:..:09} ... */
    static String describe(SyncStep step) {
        return switch (step) {
            case SyncStep.CreateVm s -> "create";
            case SyncStep.AddNic s -> "add-nic " + s.nic().name();
            case SyncStep.RemoveNic s -> "remove-nic " + s.nic();
            case SyncStep.SetMac s -> "set-mac " + s.nic() + " " + s.mac();
            case SyncStep.Start s -> "start";
            case SyncStep.Stop s -> "stop";
            case SyncStep.DeleteVm s -> "delete";
            case SyncStep.DefineMac s -> "define-mac " + s.nic() + " " + s.from() + " -> " + s.to();
        };
    }
}
