package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.SharedClientId;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * VMs and their NICs: who holds which MAC and address, and what the guests were seen using. The
 * one door the API, the DHCP observer and drift use; each part below does one job:
 * <ul>
 *   <li>{@link VmTable}: the committed VMs, per-VM locks and the by-MAC index ({@link MacIndex});</li>
 *   <li>{@link VmLifecycle}: create, start, stop, restart, delete, host changes, NICs added and removed;</li>
 *   <li>{@link NicIdentity}: a NIC's MAC and address, given with rollback and given back;</li>
 *   <li>{@link MacChanges}: a MAC set through the API, pending until the next boot;</li>
 *   <li>{@link ObservationIntake}: guest reports and DHCP bindings, and {@link UnknownMacs};</li>
 *   <li>{@link VmViews}: what is derived on read (the SLAAC address);</li>
 *   <li>{@link VmInputChecks}: what is refused before any lock or MAC is taken.</li>
 * </ul>
 *
 * <p>Durability: every change is written to the store (documents and history) before it becomes
 * visible here; a VM's in-memory state is a cache of its document.
 *
 * <p>Concurrency: changes to one VM are serialized by a lock per VM name; different VMs change in
 * parallel. MAC uniqueness is the MAC pool's guarantee, address uniqueness the allocation engine's;
 * reservation rewrites are serialized per network in {@link NicAddresses}. Reads see the last
 * committed state.
 */
public final class VmInventory {
    /** A NIC to create: {@code mac} null means one from the pool. */
    public record NicRequest(String name, String network, MacAddress mac) {}

    private final VmTable table;
    private final UnknownMacs unknown;
    private final VmLifecycle lifecycle;
    private final MacChanges macChanges;
    private final ObservationIntake observations;
    private final VmViews views;
    private final VmIpam ipam;
    private final VmMacPool macs;

    public VmInventory(VmIpam ipam, VmMacPool macs, DocumentStore documents, HistoryStore history, Clock clock) {
        this.ipam = ipam;
        this.macs = macs;
        NicAddresses addresses = new NicAddresses(ipam);
        VmRepository repository = new VmRepository(documents, history);
        this.unknown = new UnknownMacs(repository);
        this.table = new VmTable(repository, taken -> unknown.forget(taken.network(), taken.mac()));
        this.macChanges = new MacChanges(table, macs, addresses, repository, clock);
        this.lifecycle = new VmLifecycle(table, new NicIdentity(macs, addresses, repository, clock), macChanges,
                repository, clock);
        this.observations = new ObservationIntake(table, macs, unknown, ipam, clock);
        this.views = new VmViews(addresses);
    }

    // ---- reads ----

    public List<Vm> list() {
        return table.list();
    }

    public Optional<Vm> find(String name) {
        return table.find(name);
    }

    public Vm get(String name) {
        return table.get(name);
    }

    public VmView view(Vm vm) {
        return views.view(vm);
    }

    public NicView view(Vm vm, String nic) {
        return views.view(vm, nic);
    }

    /** The network's spec, for exports and drift texts. */
    public NetworkSpec network(String name) {
        return views.network(name);
    }

    /** Whether {@code mac} is some NIC's spec or pending MAC (a lookup in memory). */
    public boolean ownsMac(MacAddress mac) {
        return table.ownsMac(mac);
    }

    /**
     * MACs that leased an address on {@code network} and belong to no VM NIC there, oldest first.
     * Reading deletes nothing: a record goes when a NIC on that network takes its MAC.
     */
    public List<UnknownMac> unknownMacs(String network) {
        return unknown.list(network, (net, mac) -> table.nicOn(net, mac).isPresent());
    }

    /** Client-ids seen binding from several MACs on {@code network} (cloned machine-ids), newest first. */
    public List<SharedClientId> sharedClientIds(String network) {
        return ipam.sharedClientIds(network);
    }

    /** Whether a DHCPv6 client bound {@code ip} without the server learning its MAC ({@link VmIpam#dhcpv6BoundWithoutMac}). */
    public boolean dhcpv6BoundWithoutMac(String network, dev.vmaddr.addr.Ipv6Address ip) {
        return ipam.dhcpv6BoundWithoutMac(network, ip);
    }

    /** Where the host or a neighbour carries {@code mac} (kubemacpool#77); empty when nowhere. */
    public Optional<String> carriedByHost(MacAddress mac) {
        return mac == null ? Optional.empty() : macs.carriedByHost(mac);
    }

    /**
     * A DHCP client that is no VM NIC bound an address on {@code network}: its MAC is kept from the
     * pool when it lies in the pool's ranges (a VM vmaddr does not manage, on the same OUI).
     */
    public void noteLeasedBy(String network, MacAddress mac) {
        macs.noteLeasedBy(mac, "net/" + network + " via dhcp");
    }

    // ---- VM lifecycle and NICs ----

    public Vm create(String name, String host, List<NicRequest> nicRequests) {
        return lifecycle.create(name, host, nicRequests);
    }

    /** A new VM as a copy of {@code source}: its NICs and networks, new MACs unless {@code keepMacs} (see {@link VmLifecycle#cloneOf}). */
    public Vm cloneOf(String name, String host, String source, boolean keepMacs) {
        return lifecycle.cloneOf(name, host, source, keepMacs);
    }

    public Vm start(String name) {
        return lifecycle.start(name);
    }

    /** A start that applies the pending MAC of only the NICs named in {@code applyPendingOn}; see {@link VmLifecycle#start(String, java.util.function.Predicate)}. */
    public Vm start(String name, java.util.Set<String> applyPendingOn) {
        return lifecycle.start(name, n -> applyPendingOn.contains(n.name()));
    }

    public Vm restart(String name) {
        return lifecycle.restart(name);
    }

    public Vm stop(String name) {
        return lifecycle.stop(name);
    }

    public void delete(String name) {
        lifecycle.delete(name);
    }

    /** The VM now runs on {@code host} (moved, or live-migrated): nothing about its NICs changes. */
    public Vm migrate(String name, String host) {
        return lifecycle.migrate(name, host);
    }

    public Vm addNic(String vmName, NicRequest request) {
        return lifecycle.addNic(vmName, request);
    }

    public Vm removeNic(String vmName, String nicName) {
        return lifecycle.removeNic(vmName, nicName);
    }

    /** See {@link MacChanges#setMac}: pending until the VM's next (re)start. */
    public Nic setMac(String vmName, String nicName, MacAddress mac) {
        return macChanges.setMac(vmName, nicName, mac);
    }

    // ---- observations ----

    /** Takes a guest report: each NIC's observation, and which NICs were missing or MACs unknown. */
    public Vm report(String vmName, GuestReport report) {
        return observations.report(vmName, report);
    }

    /** See {@link ObservationIntake#recordDhcpLease}. */
    public Optional<Vm> recordDhcpLease(String network, MacAddress mac, Ipv4Address ip) {
        return observations.recordDhcpLease(network, mac, ip);
    }
}
