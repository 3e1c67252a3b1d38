package dev.vmaddr.api;

import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.export.LibvirtExport;
import dev.vmaddr.vm.export.LibvirtExport.NetworkMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** {@code GET /api/v1/networks/{n}/export?format=F}: dispatches to the formats registered in {@link NetworkExports}. */
public final class ExportRoutes implements RouteGroup {
    private final AllocationEngine engine;
    private final NetworkExports exports;

    public ExportRoutes(AllocationEngine engine, NetworkExports exports) {
        this.engine = engine;
        this.exports = exports;
    }

    @Override
    public void register(RouteTable t) {
        t.get("/api/v1/networks/{network}/export", "Export a network (format=nad: NetworkAttachmentDefinition YAML; "
                        + "cni=bridge|macvlan, namespace=NS, ipam=vmaddr with ipamServer and ipamTokenFile for nad;"
                        + " format=libvirt: <network> XML, mode=bridge|nat|isolated,"
                        + " default bridge when vmaddr serves the network's DHCP, else nat)")
                .query("format", "cni", "namespace", "mode", "ipam", "ipamServer", "ipamTokenFile").errors(400, 404, 409)
                .handle(ctx -> {
                    String name = ctx.pathParam("network");
                    String format = ctx.queryParam("format");
                    if (format == null || format.isBlank()) {
                        throw ApiProblem.badRequest("format", "required; one of " + String.join(", ", exports.names()));
                    }
                    NetworkExports.Format f = exports.get(format);
                    if (f == null) {
                        throw ApiProblem.badRequest("format", "unsupported format \"" + format + "\"; supported: "
                                + String.join(", ", exports.names()));
                    }
                    NetworkSpec spec = engine.network(name).orElseThrow(() -> ApiProblem.notFound("no network \"" + name + "\""));
                    Map<String, String> query = new LinkedHashMap<>();
                    ctx.queryParamMap().forEach((k, v) -> {
                        if (!k.equals("format") && !v.isEmpty()) {
                            query.put(k, v.getFirst());
                        }
                    });
                    ctx.contentType(f.mediaType()).result(f.writer().write(spec, query));
                });
    }

    /**
     * {@code format=libvirt}: query {@code mode} (bridge, nat, isolated). Without it the job follows who
     * serves DHCP: a network vmaddr serves is a plain bridge for libvirt (a second DHCP server there
     * would answer vmaddr's clients), any other is a libvirt NAT network carrying vmaddr's addresses.
     */
    public static NetworkExports.Writer libvirtWriter(Predicate<NetworkSpec> servedByVmaddr) {
        return (spec, query) -> {
            String mode = query.get("mode");
            NetworkMode m;
            if (mode == null) {
                m = servedByVmaddr.test(spec) ? NetworkMode.BRIDGE : NetworkMode.NAT;
            } else {
                try {
                    m = NetworkMode.fromWireName(mode);
                } catch (IllegalArgumentException e) {
                    throw ApiProblem.badRequest("mode", e.getMessage());
                }
            }
            return LibvirtExport.network(spec, m);
        };
    }
}
