package dev.vmaddr.api;

import dev.vmaddr.config.NetworkFields;
import dev.vmaddr.connectivity.StoredTargets;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.nad.NadExporter;
import dev.vmaddr.nad.NadFormatException;
import dev.vmaddr.nad.NadImport;
import dev.vmaddr.nad.NadImporter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/nads}: Multus NetworkAttachmentDefinition YAML in, vmaddr networks out.
 *
 * <p>A NAD that gives a CIDR (manual route annotation, IPAM section, learned values) creates the
 * network, or updates the NAD-given fields (CIDR, gateway, MTU, bridge, VLAN, route; pools when the
 * NAD has some) of an existing one, keeping what only vmaddr knows (DNS, reservations, lease
 * times...). A NAD in route mode auto without a CIDR has nothing to allocate from: it is stored as a
 * connectivity target only ({@link StoredTargets}), checked like any network and listed by
 * {@code GET /api/v1/connectivity}, until a later import or {@code POST /networks} gives it a CIDR.
 * Every document is parsed before anything changes, so a malformed file changes nothing.
 */
public final class NadRoutes implements RouteGroup {
    private static final Logger log = LoggerFactory.getLogger(NadRoutes.class);

    private final NetworkCatalog networks;
    private final NetworkListener listener;
    private final StoredTargets targets;
    private final NadImporter importer = new NadImporter();

    /** @param listener told about NADs stored as connectivity targets only (the catalog tells about networks) */
    public NadRoutes(NetworkCatalog networks, NetworkListener listener, StoredTargets targets) {
        this.networks = networks;
        this.listener = listener;
        this.targets = targets;
    }

    @Override
    public void register(RouteTable t) {
        t.post("/api/v1/nads", "Import NetworkAttachmentDefinition YAML (Content-Type: application/yaml): creates or updates networks")
                .success(200).errors(400, 409)
                .body("one or more NetworkAttachmentDefinition YAML documents (---separated)")
                .handle(ctx -> {
                    List<NadImport> imports;
                    try {
                        imports = importer.importAll(ctx.body());
                    } catch (NadFormatException e) {
                        throw ApiProblem.badRequest(e.field(), e.getMessage());
                    } catch (IllegalArgumentException e) {
                        throw ApiProblem.badRequest("(body)", e.getMessage());
                    }
                    if (imports.isEmpty()) {
                        throw ApiProblem.badRequest("(body)", "no NetworkAttachmentDefinition in the body");
                    }
                    List<Map<String, Object>> items = new ArrayList<>();
                    for (NadImport i : imports) {
                        items.add(apply(i));
                    }
                    ctx.json(Map.of("items", items));
                });
    }

    private Map<String, Object> apply(NadImport i) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", i.name());
        boolean known = networks.get(i.name()).isPresent();
        if (i.cidr() != null || known) {
            NetworkSpec spec = networks.upsert(i.name(), old -> merge(old, i));
            targets.remove(i.name());
            item.put("stored", "network");
            item.put("network", NetworkFields.toMap(spec));
            log.info(LogEvents.NAD_IMPORTED + " network={} stored=network cidr={}", i.name(), spec.cidr());
        } else {
            targets.put(i.target());
            listener.networkChanged(i.target());
            item.put("stored", "connectivity-target");
            item.put("network", null);
            log.info(LogEvents.NAD_IMPORTED + " network={} stored=connectivity-target iface={}", i.name(), i.hostInterface());
        }
        item.put("warnings", i.warnings());
        return item;
    }

    /** {@code format=nad} for {@link ExportRoutes}: query {@code type} (bridge, default, or macvlan) and {@code namespace}. */
    public static NetworkExports.Writer nadWriter() {
        NadExporter exporter = new NadExporter();
        return (spec, query) -> {
            String type = query.getOrDefault("cni", "bridge");
            NadExporter.CniType cni = switch (type) {
                case "bridge" -> NadExporter.CniType.BRIDGE;
                case "macvlan" -> NadExporter.CniType.MACVLAN;
                default -> throw ApiProblem.badRequest("cni", "\"" + type + "\" is not bridge or macvlan");
            };
            String ipam = query.get("ipam");
            if (ipam != null && !ipam.equals("vmaddr")) {
                throw ApiProblem.badRequest("ipam", "\"" + ipam + "\" is not vmaddr (leave it out for an empty IPAM section)");
            }
            NadExporter.VmaddrIpam vmaddr = ipam == null ? null : new NadExporter.VmaddrIpam(
                    query.getOrDefault("ipamServer", NadExporter.VmaddrIpam.DEFAULT.server()),
                    query.getOrDefault("ipamTokenFile", NadExporter.VmaddrIpam.DEFAULT.tokenFile()));
            return exporter.export(spec, new NadExporter.Options(cni, query.get("namespace"), vmaddr));
        };
    }

    /** The NAD's facts over the existing network's; vmaddr-only fields kept. */
    static NetworkSpec merge(Optional<NetworkSpec> existing, NadImport i) {
        if (existing.isEmpty()) {
            return i.toNetwork(i.cidr(), i.gateway());
        }
        NetworkSpec e = existing.get();
        NetworkSpec.Builder b = e.toBuilder().route(i.route());
        if (i.cidr() != null) {
            b.cidr(i.cidr());
        }
        if (i.gateway() != null) {
            b.gateway(i.gateway());
        }
        if (i.mtu() != null) {
            b.mtu(i.mtu());
        }
        if (i.hostInterface() != null) {
            b.bridge(i.hostInterface());
        }
        if (i.vlan() != null) {
            b.vlan(i.vlan());
        }
        if (!i.pools().isEmpty()) {
            b.pools(i.pools()).exclude(i.exclude());
        }
        return b.build();
    }
}
