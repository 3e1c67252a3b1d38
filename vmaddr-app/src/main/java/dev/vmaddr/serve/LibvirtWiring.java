package dev.vmaddr.serve;

import dev.vmaddr.api.LibvirtRoutes;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.hostnet.CommandRunner;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.libvirt.LibvirtSync;
import dev.vmaddr.libvirt.ManagedDomains;
import dev.vmaddr.libvirt.Reconciler;
import dev.vmaddr.libvirt.Virsh;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.vm.GuestReports;
import dev.vmaddr.vm.VmDrift;
import dev.vmaddr.vm.VmInventory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;

/**
 * The libvirt parts of the server, wired: with a {@code libvirt:} section, the configured URI's
 * sync in its own loop ({@link LibvirtService}), its {@code mac-conflict}s in the VMs' drift and
 * {@code vmaddr_libvirt_up}; always, the routes for {@code vmaddr libvirt sync} (which may name
 * another URI) and {@code vmaddr reconcile --from libvirt}.
 */
final class LibvirtWiring {
    private final LibvirtRoutes routes;
    private final LibvirtService service;

    LibvirtWiring(VmaddrConfig.Libvirt config, CommandRunner host, VmInventory vms, VmDrift drift, AllocationEngine engine,
                  DocumentStore documents, GuestReports reports, MeterRegistry registry, Clock clock) {
        ManagedDomains managed = new ManagedDomains(documents);
        LibvirtSync configured = config == null ? null
                : new LibvirtSync(new Virsh(host, config.uri()), vms, managed, engine::networks, reports);
        if (configured != null) {
            drift.addSource(configured::driftFindings);
            registry.gauge("vmaddr_libvirt_up", configured, s -> s.up() ? 1 : 0);
            service = new LibvirtService(configured, config.interval());
        } else {
            service = null;
        }
        Reconciler reconciler = new Reconciler(vms, managed, engine::networks,
                // the DHCP server's last write of the NIC's lease (a renewal) is when its holder was last seen
                (network, ip, mac) -> engine.lease(network, ip).filter(l -> l.mac().equals(mac)).map(Lease::updatedAt), clock);
        routes = new LibvirtRoutes(configured == null ? null : configured.uri(), uri -> configured != null && configured.uri().equals(uri)
                ? configured : new LibvirtSync(new Virsh(host, uri), vms, managed, engine::networks, reports), reconciler);
    }

    LibvirtRoutes routes() {
        return routes;
    }

    Optional<Service> service() {
        return Optional.ofNullable(service);
    }
}
