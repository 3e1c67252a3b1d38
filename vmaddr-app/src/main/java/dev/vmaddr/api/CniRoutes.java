package dev.vmaddr.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryActor;
import io.javalin.http.Handler;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the CNI IPAM plugin ({@code dev.vmaddr.cni.plugin}) calls: one attachment per container id +
 * interface, ADD as an idempotent PUT, CHECK as GET, DEL as DELETE that succeeds for what was never
 * added. The answer carries everything the plugin prints (address, prefix, gateway, routes, DNS), so
 * a pod costs one request per CNI command.
 *
 * <p>Holders: see {@link CniHolder}. A virt-launcher pod's address belongs to the VM's NIC; the pods
 * that currently use it are kept in the document store (kind {@value #VM_PODS}, key
 * network/namespace/vm) so a migration's source DEL, which comes after the target's ADD, does not
 * take the address from the target. When the last pod goes the network's release policy decides:
 * {@code on-stop} gives the address back (a VM without a pod is stopped, or gone), {@code on-delete}
 * and {@code never} keep it; {@code DELETE /api/v1/cni/vms/{namespace}/{vm}} is the VM's deletion
 * (CNI cannot tell a stop from a delete), giving back what {@code on-delete} kept.
 */
public final class CniRoutes implements RouteGroup {
    private static final Logger LOG = LoggerFactory.getLogger(CniRoutes.class);
    private static final String BASE = "/api/v1/networks/{network}/cni/{containerId}/{ifname}";
    static final String VM_PODS = "cni-vm-pods";
    /**
     * A CNI lease is never renewed: it lasts until DEL. Ten years stays far inside the engine's
     * limits (DHCP lease times below 2^32 s) while no pod outlives it.
     */
    static final Duration LEASE_TIME = Duration.ofDays(3650);
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    private static final int GC_PAGE = 1000;

    private final AllocationEngine engine;
    private final DocumentStore documents;
    private final Clock clock;
    /** Serializes the read-modify-write of one VM's pod set (and its release); striped, so memory stays fixed. */
    private final Object[] vmLocks = new Object[64];

    public CniRoutes(AllocationEngine engine, DocumentStore documents, Clock clock) {
        this.engine = engine;
        this.documents = documents;
        this.clock = clock;
        for (int i = 0; i < vmLocks.length; i++) {
            vmLocks[i] = new Object();
        }
    }

    @Override
    public void register(RouteTable t) {
        t.put(BASE, "CNI ADD: the attachment's address (the same one on a repeated ADD)").success(200).errors(400, 404, 409)
                .body("{\"mac\", \"podNamespace\" (optional), \"podName\" (optional)}").handle(asCni(ctx -> {
                    record Req(MacAddress mac, String podNamespace, String podName) {}
                    Req req = Json.readBody(ctx.body(), f -> {
                        MacAddress mac = f.value("mac", MacAddress::parse);
                        String ns = f.string("podNamespace");
                        String pod = f.string("podName");
                        f.rejectUnknown();
                        if (mac == null && f.problems().isEmpty()) {
                            f.problems().add("mac", "is required (the interface's hardware address)");
                        }
                        return new Req(mac, ns, pod);
                    });
                    ctx.json(add(ctx, req.mac(), holder(ctx, req.podNamespace(), req.podName())));
                }));
        t.get(BASE, "CNI CHECK: the attachment's address, 404 when it holds none").errors(404)
                .query("podNamespace", "podName").handle(asCni(ctx -> {
                    CniHolder holder = holder(ctx, ctx.queryParam("podNamespace"), ctx.queryParam("podName"));
                    NetworkSpec spec = network(ctx);
                    Lease l = engine.leaseOf(spec.name(), holder.key())
                            .filter(x -> x.state() == LeaseState.BOUND && x.occupiesAt(clock.instant()))
                            .orElseThrow(() -> ApiProblem.notFound(holder.label() + " holds no address in " + spec.name()));
                    ctx.json(answer(spec, l, holder));
                }));
        t.delete(BASE, "CNI DEL: gives the address back (a VM's only when its last pod goes and the release policy says so)")
                .errors(404).query("podNamespace", "podName").handle(asCni(ctx -> {
                    CniHolder holder = holder(ctx, ctx.queryParam("podNamespace"), ctx.queryParam("podName"));
                    NetworkSpec spec = network(ctx);
                    String pod = pod(ctx);
                    if (holder.isVm()) {
                        synchronized (vmLock(spec.name(), holder)) {
                            TreeSet<String> pods = vmPods(spec.name(), holder);
                            pods.remove(pod);
                            storeVmPods(spec.name(), holder, pods);
                            if (pods.isEmpty() && spec.release() == ReleasePolicy.ON_STOP) {
                                release(spec.name(), holder);
                            }
                        }
                    } else {
                        release(spec.name(), holder);
                    }
                    ctx.status(204);
                }));
        t.post("/api/v1/networks/{network}/cni-gc",
                "CNI GC: give back the addresses of plain pods' attachments not in validAttachments (VMs' are kept)")
                .success(200).errors(400, 404).body("{\"validAttachments\": [{\"containerID\", \"ifname\"}]}").handle(asCni(ctx -> {
                    Set<String> valid = Json.readBody(ctx.body(), f -> {
                        Set<String> v = new HashSet<>();
                        for (var a : f.children("validAttachments")) {
                            String container = a.string("containerID");
                            String ifname = a.string("ifname");
                            a.rejectUnknown();
                            if (container == null || ifname == null) {
                                f.problems().add("validAttachments", "each attachment needs containerID and ifname");
                            }
                            v.add(container + "/" + ifname);
                        }
                        f.rejectUnknown();
                        return v;
                    });
                    ctx.json(Map.of("released", gc(network(ctx), valid)));
                }));
        t.delete("/api/v1/cni/vms/{namespace}/{vm}", "A KubeVirt VM was deleted: give back its addresses on on-delete and on-stop networks")
                .handle(asCni(ctx -> {
                    CniHolder holder = CniHolder.vm(ctx.pathParam("namespace"), ctx.pathParam("vm"));
                    for (NetworkSpec spec : engine.networks()) {
                        if (spec.release() == ReleasePolicy.NEVER) {
                            continue;
                        }
                        synchronized (vmLock(spec.name(), holder)) {
                            documents.delete(VM_PODS, vmKey(spec.name(), holder));
                            release(spec.name(), holder);
                        }
                    }
                    ctx.status(204);
                }));
    }

    /** The plugin's calls change leases as actor {@code cni} (not as the token they present). */
    private static Handler asCni(Handler h) {
        return ctx -> HistoryActor.as(HistoryActor.CNI, () -> {
            h.handle(ctx);
            return null;
        });
    }

    private Map<String, Object> add(Context ctx, MacAddress mac, CniHolder holder) {
        NetworkSpec spec = network(ctx);
        AllocationRequest req = new AllocationRequest(mac, holder.clientId(), null, null, LEASE_TIME);
        if (!holder.isVm()) {
            return answer(spec, engine.allocate(spec.name(), req), holder);
        }
        synchronized (vmLock(spec.name(), holder)) {
            // a migration target (or a restarted pod) takes over the VM's bound address as it is:
            // allocate would rewrite it with this pod's MAC, which is the same NIC's anyway
            Lease lease = engine.allocate(spec.name(), req);
            TreeSet<String> pods = vmPods(spec.name(), holder);
            if (pods.add(pod(ctx))) {
                storeVmPods(spec.name(), holder, pods);
            }
            return answer(spec, lease, holder);
        }
    }

    /**
     * CNI 1.1 GC: releases every plain pod's attachment in the network that is not in {@code valid}
     * (container id/ifname), walking the leases a page at a time. A VM's address is not the pod's to
     * give back (its release policy and the VM deletion call decide). Leases written after the GC
     * began are kept: an ADD racing the runtime's list of valid attachments is not stale.
     */
    private List<Map<String, String>> gc(NetworkSpec spec, Set<String> valid) {
        Instant began = clock.instant();
        List<Map<String, String>> released = new ArrayList<>();
        Ipv4Address after = null;
        while (true) {
            List<Lease> page = engine.leases(spec.name(), after, GC_PAGE, l -> l.state() == LeaseState.BOUND
                    && CniHolder.containerAttachment(l.clientId()) != null);
            for (Lease l : page) {
                String attachment = CniHolder.containerAttachment(l.clientId());
                if (!valid.contains(attachment) && l.updatedAt().isBefore(began) && l.occupiesAt(began)
                        && engine.release(spec.name(), l.holder(), l.ip()).isPresent()) {
                    LOG.info(LogEvents.CNI_RELEASED + " network={} ip={} holder=\"container {}\" by=gc", spec.name(), l.ip(), attachment);
                    released.add(Map.of("ip", l.ip().toString(), "holder", "container " + attachment));
                }
            }
            if (page.size() < GC_PAGE) {
                return released;
            }
            after = page.getLast().ip();
        }
    }

    private void release(String network, CniHolder holder) {
        Optional<Lease> held = engine.leaseOf(network, holder.key())
                .filter(l -> l.state() == LeaseState.BOUND);
        held.ifPresent(l -> {
            engine.release(network, holder.key(), l.ip());
            LOG.info(LogEvents.CNI_RELEASED + " network={} ip={} holder=\"{}\"", network, l.ip(), holder.label());
        });
    }

    private NetworkSpec network(Context ctx) {
        String name = ctx.pathParam("network");
        return engine.network(name).orElseThrow(() -> ApiProblem.notFound("no network \"" + name + "\""));
    }

    private static CniHolder holder(Context ctx, String podNamespace, String podName) {
        String container = ctx.pathParam("containerId");
        String ifname = ctx.pathParam("ifname");
        if (container.isBlank() || container.contains("/") || ifname.isBlank()) {
            throw ApiProblem.badRequest("(path)", "container id and interface name must be non-empty");
        }
        return CniHolder.of(container, ifname, podNamespace, podName);
    }

    private static String pod(Context ctx) {
        return ctx.pathParam("containerId") + "/" + ctx.pathParam("ifname");
    }

    private Object vmLock(String network, CniHolder holder) {
        return vmLocks[Math.floorMod(vmKey(network, holder).hashCode(), vmLocks.length)];
    }

    private static String vmKey(String network, CniHolder holder) {
        return network + "/" + holder.vm();
    }

    private TreeSet<String> vmPods(String network, CniHolder holder) {
        return documents.get(VM_PODS, vmKey(network, holder)).map(json -> {
            try {
                return new TreeSet<>(Json.MAPPER.readValue(json, STRINGS));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored " + VM_PODS + " of " + vmKey(network, holder) + " is not a JSON list", e);
            }
        }).orElseGet(TreeSet::new);
    }

    private void storeVmPods(String network, CniHolder holder, TreeSet<String> pods) {
        if (pods.isEmpty()) {
            documents.delete(VM_PODS, vmKey(network, holder));
        } else {
            documents.put(VM_PODS, vmKey(network, holder), Json.write(new ArrayList<>(pods)));
        }
    }

    /**
     * What the plugin prints, in the API's words: {@code {ip, prefixLength, gateway, routes:[{dst,gw}], dns, domain, mac,
     * holder}}, and {@code ipv6, ipv6PrefixLength} on a network whose RAs let hosts configure SLAAC addresses
     * ({@code ipv6Prefix} with {@code ipv6Mode} slaac or both): the EUI-64 address of the pod's MAC, the one
     * its kernel configures from vmaddr's RA and the API shows as {@code ipv6Slaac} (no gateway: the
     * default route comes from the RA).
     */
    private static Map<String, Object> answer(NetworkSpec spec, Lease lease, CniHolder holder) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ip", lease.ip().toString());
        m.put("prefixLength", spec.cidr().length());
        Ipv4Address gw = spec.gateway();
        m.put("gateway", gw == null ? null : gw.toString());
        m.put("routes", gw == null ? List.of() : List.of(Map.of("dst", "0.0.0.0/0", "gw", gw.toString())));
        m.put("dns", spec.dns().stream().map(Ipv4Address::toString).toList());
        m.put("domain", spec.domain());
        m.put("mtu", spec.mtu());
        m.put("mac", lease.mac().toString());
        m.put("holder", holder.label());
        if (spec.ipv6Prefix() != null && spec.ipv6Prefix().length() == 64 && spec.ipv6Mode().autonomous()) {
            m.put("ipv6", spec.ipv6Prefix().slaacAddress(lease.mac()).toString());
            m.put("ipv6PrefixLength", spec.ipv6Prefix().length());
        }
        return m;
    }
}
