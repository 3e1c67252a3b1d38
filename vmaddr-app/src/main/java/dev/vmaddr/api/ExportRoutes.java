package dev.vmaddr.api;

import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.NetworkSpec;
import java.util.LinkedHashMap;
import java.util.Map;

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
                        + "cni=bridge|macvlan, namespace=NS, ipam=vmaddr with ipamServer and ipamTokenFile for nad)")
                .query("format", "cni", "namespace", "ipam", "ipamServer", "ipamTokenFile").errors(400, 404)
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
}
