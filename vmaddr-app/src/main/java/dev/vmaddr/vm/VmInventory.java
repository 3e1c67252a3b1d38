package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VMs and their NICs: who holds which MAC and address, and what the guests were seen using.
 *
 * <p>Identity: a NIC's MAC (owner {@code vm/<vm>/<nic>} in the MAC pool) and address (a reservation
 * for that MAC, see {@link NicAddresses}) belong to the NIC, not to a host or a process. Start,
 * stop, restart, {@link #migrate host changes} and live migration keep them; they go back only as
 * the network's {@code release} policy says: {@code on-stop} at stop (a fresh MAC and address at
 * the next start), {@code on-delete} when the NIC or VM is deleted, {@code never} not at all. A NIC
 * gets its MAC and address when it is created, even though a new VM is stopped, so the create
 * answer already shows them.
 *
 * <p>MAC changes (seed 000): {@link #setMac} claims the new MAC at once (so no one else gets it)
 * and records it as pending; the running VM keeps its MAC until {@link #restart}, or a stopped VM
 * until {@link #start}; then the pending MAC becomes the spec, the reservation and lease move to it
 * and the old MAC goes back to the pool's quarantine.
 *
 * <p>Durability: every change is written to the store (documents and history) before it becomes
 * visible here; a VM's in-memory state is a cache of its document.
 *
 * <p>Concurrency: changes to one VM are serialized by a lock per VM name (locks are kept for the
 * inventory's life, one small object per name ever used). Different VMs change in parallel. MAC
 * uniqueness is the MAC pool's guarantee, address uniqueness the allocation engine's; reservation
 * rewrites are serialized per network in {@link NicAddresses}. Reads see the last committed state.
 */
public final class VmInventory {
    private static final Logger LOG = LoggerFactory.getLogger(VmInventory.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** A NIC to create: {@code mac} null means one from the pool. */
    public record NicRequest(String name, String network, MacAddress mac) {}

    private final VmMacPool macs;
    private final NicAddresses addresses;
    private final VmRepository repository;
    private final Clock clock;
    private final ConcurrentHashMap<String, Vm> vms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, UnknownMac> unknown = new ConcurrentHashMap<>();
    /** Spec and pending MACs → VM name, so DHCP observations find their NIC without a scan. */
    private final ConcurrentHashMap<MacAddress, String> byMac = new ConcurrentHashMap<>();

    public VmInventory(VmIpam ipam, VmMacPool macs, DocumentStore documents, HistoryStore history, Clock clock) {
        this.macs = macs;
        this.addresses = new NicAddresses(ipam);
        this.repository = new VmRepository(documents, history);
        this.clock = clock;
        repository.loadAll().forEach(vm -> {
            vms.put(vm.name(), vm);
            reindex(null, vm);
        });
        repository.loadUnknown().forEach(u -> unknown.put(u.network() + "/" + u.mac(), u));
    }

    // ---- reads ----

    public List<Vm> list() {
        return vms.values().stream().sorted(Comparator.comparing(Vm::name)).toList();
    }

    public Optional<Vm> find(String name) {
        return Optional.ofNullable(vms.get(name));
    }

    public Vm get(String name) {
        Vm vm = vms.get(name);
        if (vm == null) {
            throw VmException.notFound("vm " + name);
        }
        return vm;
    }

    public VmView view(Vm vm) {
        List<NicView> nics = new ArrayList<>();
        for (Nic n : vm.nics()) {
            nics.add(new NicView(n.name(), n.network(), n.mac(), n.pendingMac(), n.ip(), slaac(n), n.observed()));
        }
        return new VmView(vm.name(), vm.host(), vm.state(), nics);
    }

    public NicView view(Vm vm, String nic) {
        return view(vm).nics().stream().filter(n -> n.name().equals(nic)).findFirst()
                .orElseThrow(() -> VmException.notFound("nic " + nic + " of vm " + vm.name()));
    }

    /** The network's spec, for exports and drift texts. */
    public NetworkSpec network(String name) {
        return addresses.network(name);
    }

    /** Whether {@code mac} is some NIC's spec or pending MAC (a lookup in memory). */
    public boolean ownsMac(MacAddress mac) {
        return byMac.containsKey(mac);
    }

    /**
     * MACs that leased an address on {@code network} and belong to no VM NIC there, oldest first. A MAC
     * a NIC on that network has taken since (created with it, set-mac) is not unknown any more: its
     * record is dropped.
     */
    public List<UnknownMac> unknownMacs(String network) {
        for (UnknownMac u : List.copyOf(unknown.values())) {
            if (nicOn(u.network(), u.mac()) && unknown.remove(u.network() + "/" + u.mac(), u)) {
                repository.deleteUnknown(u.network(), u.mac());
            }
        }
        return unknown.values().stream().filter(u -> u.network().equals(network))
                .sorted(Comparator.comparing(UnknownMac::at)).toList();
    }

    /** Whether a NIC on {@code network} has {@code mac} as its spec or pending MAC. */
    private boolean nicOn(String network, MacAddress mac) {
        String owner = byMac.get(mac);
        Vm vm = owner == null ? null : vms.get(owner);
        return vm != null && vm.nics().stream().anyMatch(n -> n.network().equals(network) && n.owns(mac));
    }

    // ---- VM lifecycle ----

    public Vm create(String name, String host, List<NicRequest> nicRequests) {
        checkName("name", name);
        checkHost(host);
        List<NicRequest> requests = nicRequests == null ? List.of() : nicRequests;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            NicRequest r = requests.get(i);
            checkNic("nics[" + i + "]", r);
            if (!names.add(r.name())) {
                throw VmException.badInput("nics[" + i + "].name", "\"" + r.name() + "\" appears twice");
            }
        }
        return locked(name, () -> {
            if (vms.containsKey(name)) {
                throw VmException.conflict("vm " + name + " exists");
            }
            List<Nic> nics = new ArrayList<>();
            try {
                for (int i = 0; i < requests.size(); i++) {
                    nics.add(acquire(name, requests.get(i), "nics[" + i + "].mac"));
                }
                Instant now = clock.instant();
                Vm vm = new Vm(name, host, VmState.STOPPED, nics, null, now, now);
                commit(vm, "vm.create");
                LOG.info("event=vm.created vm={} host={} nics={}", name, host, nics.size());
                return vm;
            } catch (RuntimeException e) {
                nics.forEach(n -> giveBack(name, n, true));
                throw e;
            }
        });
    }

    public Vm start(String name) {
        return locked(name, () -> {
            Vm vm = get(name);
            if (vm.state() == VmState.RUNNING) {
                return vm;
            }
            return commit(booted(vm, bringUp(vm)), "vm.started");
        });
    }

    public Vm restart(String name) {
        return locked(name, () -> {
            Vm vm = get(name);
            return commit(booted(vm, bringUp(vm)), "vm.restarted");
        });
    }

    public Vm stop(String name) {
        return locked(name, () -> {
            Vm vm = get(name);
            if (vm.state() == VmState.STOPPED) {
                return vm;
            }
            List<Nic> nics = eachNic(vm, n -> policy(n.network()) == ReleasePolicy.ON_STOP ? giveBack(name, n, false) : n);
            return commit(vm.with(VmState.STOPPED, nics, clock.instant()), "vm.stopped");
        });
    }

    public void delete(String name) {
        locked(name, () -> {
            Vm vm = get(name);
            for (Nic n : vm.nics()) {
                if (policy(n.network()) != ReleasePolicy.NEVER) {
                    giveBack(name, n, true);
                }
            }
            repository.delete(name);
            reindex(vms.remove(name), null);
            LOG.info("event=vm.deleted vm={}", name);
            return null;
        });
    }

    /** The VM now runs on {@code host} (moved, or live-migrated): nothing about its NICs changes. */
    public Vm migrate(String name, String host) {
        checkHost(host);
        return locked(name, () -> {
            Vm vm = get(name);
            Instant now = clock.instant();
            for (Nic n : vm.nics()) {
                repository.event(now, n.network(), n.ip(), n.mac(), Vm.owner(name, n.name()), "vm-host-changed:" + host);
            }
            return commit(vm.withHost(host, now), "vm.migrated");
        });
    }

    // ---- NICs ----

    public Vm addNic(String vmName, NicRequest request) {
        checkNic("nic", request);
        return locked(vmName, () -> {
            Vm vm = get(vmName);
            if (vm.nic(request.name()).isPresent()) {
                throw VmException.conflict("vm " + vmName + " has a nic " + request.name());
            }
            Nic nic = acquire(vmName, request, "mac");
            List<Nic> nics = new ArrayList<>(vm.nics());
            nics.add(nic);
            try {
                return commit(vm.with(vm.state(), nics, clock.instant()), "vm.nic.added");
            } catch (RuntimeException e) {
                giveBack(vmName, nic, true);
                throw e;
            }
        });
    }

    public Vm removeNic(String vmName, String nicName) {
        return locked(vmName, () -> {
            Vm vm = get(vmName);
            Nic nic = vm.nic(nicName).orElseThrow(() -> VmException.notFound("nic " + nicName + " of vm " + vmName));
            if (policy(nic.network()) != ReleasePolicy.NEVER) {
                giveBack(vmName, nic, true);
            }
            List<Nic> nics = new ArrayList<>(vm.nics());
            nics.remove(nic);
            return commit(vm.with(vm.state(), nics, clock.instant()), "vm.nic.removed");
        });
    }

    /**
     * Records {@code mac} as the NIC's pending MAC, claimed from the pool now. Setting the spec MAC
     * cancels a pending change; setting the pending MAC again changes nothing.
     */
    public Nic setMac(String vmName, String nicName, MacAddress mac) {
        if (mac == null) {
            throw VmException.badInput("mac", "missing");
        }
        checkUsable("mac", mac);
        return locked(vmName, () -> {
            Vm vm = get(vmName);
            Nic nic = vm.nic(nicName).orElseThrow(() -> VmException.notFound("nic " + nicName + " of vm " + vmName));
            String owner = Vm.owner(vmName, nicName);
            Instant now = clock.instant();
            Nic next;
            if (mac.equals(nic.pendingMac())) {
                return nic;
            } else if (mac.equals(nic.mac())) {
                next = nic.withMac(nic.mac(), null, nic.ip());
            } else {
                macs.claim(mac, owner);
                next = nic.withMac(nic.mac(), mac, nic.ip());
                repository.event(now, nic.network(), nic.ip(), mac, owner, "nic-mac-pending");
            }
            if (nic.pendingMac() != null) {
                macs.release(nic.pendingMac());
                repository.event(now, nic.network(), null, nic.pendingMac(), owner, "nic-mac-released");
            }
            commit(replace(vm, next, now), "vm.nic.mac-pending");
            LOG.info("event=vm.nic.mac-pending vm={} nic={} mac={} pending={}", vmName, nicName, nic.mac(), next.pendingMac());
            return next;
        });
    }

    // ---- observations ----

    /** Takes a guest report: each NIC's observation, and which NICs were missing or MACs unknown. */
    public Vm report(String vmName, GuestReport report) {
        return locked(vmName, () -> {
            Vm vm = get(vmName);
            GuestMatcher.Result r = GuestMatcher.match(vm, report);
            List<Nic> nics = new ArrayList<>();
            for (Nic n : vm.nics()) {
                GuestInterface g = r.matched().get(n.name());
                if (g == null) {
                    nics.add(n);
                    continue;
                }
                nics.add(n.withObserved(new Observation(g.mac(), g.ips(), report.source(), report.at(), g.interfaceName())));
                if (g.mac() != null && !n.owns(g.mac())) {
                    // On the wire now; the pool must not hand it to anyone else. The NIC's owner
                    // string lets this NIC claim it when the operator accepts the guest's MAC.
                    macs.observe(g.mac(), Vm.owner(vmName, n.name()));
                }
            }
            for (GuestInterface g : r.unknown()) {
                macs.observe(g.mac(), "vm/" + vmName);
            }
            ReportSummary summary = new ReportSummary(report.source(), report.at(), r.missing(), r.unknown());
            return commit(vm.withReport(nics, summary, clock.instant()), "vm.reported");
        });
    }

    /**
     * The DHCP server bound {@code ip} on {@code network} to {@code mac}: the NIC owning that MAC
     * (spec or pending) records it as observed; a MAC of no NIC is remembered as unknown on that
     * network. Returns the VM whose NIC it was.
     */
    public Optional<Vm> recordDhcpLease(String network, MacAddress mac, Ipv4Address ip) {
        String owner = byMac.get(mac);
        if (owner != null) {
            Optional<Vm> updated = locked(owner, () -> {
                Vm vm = vms.get(owner);
                Optional<Nic> nic = vm == null ? Optional.empty()
                        : vm.nics().stream().filter(n -> n.network().equals(network) && n.owns(mac)).findFirst();
                if (nic.isEmpty()) {
                    return Optional.empty(); // changed meanwhile, or the MAC's NIC is on another network
                }
                Observation before = nic.get().observed();
                if (before != null && GuestReport.DHCP.equals(before.source()) && mac.equals(before.mac())
                        && before.ips().equals(List.of(ip.toString()))) {
                    // A renewal: nothing new to record (and no store write per renewal); "at" is when
                    // this binding was first seen.
                    return Optional.of(vm);
                }
                String ifName = before == null ? null : before.interfaceName();
                Instant now = clock.instant();
                Nic next = nic.get().withObserved(new Observation(mac, List.of(ip.toString()), GuestReport.DHCP, now, ifName));
                return Optional.of(commit(replace(vm, next, now), "vm.nic.dhcp-observed"));
            });
            if (updated.isPresent()) {
                return updated;
            }
        }
        UnknownMac u = new UnknownMac(network, mac, ip, clock.instant());
        UnknownMac known = unknown.get(network + "/" + mac);
        if (known != null && known.ip().equals(ip)) {
            return Optional.empty();
        }
        repository.saveUnknown(u);
        unknown.put(network + "/" + mac, u);
        LOG.info("event=vm.unknown-mac network={} mac={} ip={}", network, mac, ip);
        return Optional.empty();
    }

    // ---- internals ----

    /** Gives a new NIC its MAC (claimed or from the pool) and its reserved address. */
    private Nic acquire(String vmName, NicRequest r, String macField) {
        NetworkSpec network = addresses.network(r.network());
        String owner = Vm.owner(vmName, r.name());
        MacAddress mac;
        if (r.mac() != null) {
            checkUsable(macField, r.mac());
            mac = macs.claim(r.mac(), owner);
        } else {
            mac = macs.allocate(owner);
        }
        Ipv4Address ip;
        try {
            ip = addresses.reserve(network.name(), mac, vmName);
        } catch (RuntimeException e) {
            macs.release(mac);
            throw e;
        }
        Instant now = clock.instant();
        repository.event(now, network.name(), null, mac, owner, "nic-mac-assigned");
        repository.event(now, network.name(), ip, mac, owner, "nic-address-reserved");
        LOG.info("event=vm.nic.bound vm={} nic={} network={} mac={} ip={}", vmName, r.name(), network.name(), mac, ip);
        return new Nic(r.name(), r.network(), mac, null, ip, null);
    }

    /** At start or restart: pending MACs become spec, NICs that gave everything back get it anew. */
    private List<Nic> bringUp(Vm vm) {
        return eachNic(vm, n -> bringUp(vm.name(), n));
    }

    /**
     * Applies {@code step} to every NIC. When one fails, the NICs already changed are committed
     * (state unchanged) before the failure propagates, so the stored VM never forgets a MAC or an
     * address that moved.
     */
    private List<Nic> eachNic(Vm vm, java.util.function.UnaryOperator<Nic> step) {
        List<Nic> out = new ArrayList<>();
        for (int i = 0; i < vm.nics().size(); i++) {
            try {
                out.add(step.apply(vm.nics().get(i)));
            } catch (RuntimeException e) {
                List<Nic> partial = new ArrayList<>(out);
                partial.addAll(vm.nics().subList(i, vm.nics().size()));
                commit(vm.with(vm.state(), partial, clock.instant()), "vm.partial");
                throw e;
            }
        }
        return out;
    }

    private Nic bringUp(String vmName, Nic n) {
        String owner = Vm.owner(vmName, n.name());
        Instant now = clock.instant();
        if (n.pendingMac() != null) {
            MacAddress next = n.pendingMac();
            Ipv4Address ip = n.ip();
            if (ip != null) {
                addresses.move(n.network(), ip, n.mac(), next, vmName);
            } else {
                ip = addresses.reserve(n.network(), next, vmName);
            }
            if (n.mac() != null) {
                macs.release(n.mac());
                repository.event(now, n.network(), null, n.mac(), owner, "nic-mac-released");
            }
            repository.event(now, n.network(), ip, next, owner, "nic-mac-changed");
            LOG.info("event=vm.nic.mac-changed vm={} nic={} network={} old={} mac={} ip={}",
                    vmName, n.name(), n.network(), n.mac(), next, ip);
            return n.withMac(next, null, ip);
        }
        if (n.mac() == null) {
            MacAddress mac = macs.allocate(owner);
            Ipv4Address ip;
            try {
                ip = addresses.reserve(n.network(), mac, vmName);
            } catch (RuntimeException e) {
                macs.release(mac);
                throw e;
            }
            repository.event(now, n.network(), null, mac, owner, "nic-mac-assigned");
            repository.event(now, n.network(), ip, mac, owner, "nic-address-reserved");
            return n.withMac(mac, null, ip);
        }
        if (n.ip() == null) {
            Ipv4Address ip = addresses.reserve(n.network(), n.mac(), vmName);
            repository.event(now, n.network(), ip, n.mac(), owner, "nic-address-reserved");
            return n.withMac(n.mac(), null, ip);
        }
        return n;
    }

    /**
     * Gives back the NIC's address and MAC (quarantined by the pool); a pending MAC too when
     * {@code withPending} (deletion), while a stop keeps it to apply at the next start.
     */
    private Nic giveBack(String vmName, Nic n, boolean withPending) {
        String owner = Vm.owner(vmName, n.name());
        Instant now = clock.instant();
        if (n.ip() != null) {
            addresses.unreserve(n.network(), n.ip(), n.mac());
            repository.event(now, n.network(), n.ip(), n.mac(), owner, "nic-address-released");
        }
        if (n.mac() != null) {
            macs.release(n.mac());
            repository.event(now, n.network(), null, n.mac(), owner, "nic-mac-released");
        }
        MacAddress pending = n.pendingMac();
        if (withPending && pending != null) {
            macs.release(pending);
            repository.event(now, n.network(), null, pending, owner, "nic-mac-released");
            pending = null;
        }
        LOG.info("event=vm.nic.released vm={} nic={} network={} mac={} ip={}", vmName, n.name(), n.network(), n.mac(), n.ip());
        return n.withMac(null, pending, null);
    }

    private ReleasePolicy policy(String network) {
        // A network deleted under a VM has nothing left to hold: treat it as giving back.
        return addresses.networkIfPresent(network).map(NetworkSpec::release).orElse(ReleasePolicy.ON_DELETE);
    }

    private Ipv6Address slaac(Nic n) {
        if (n.mac() == null) {
            return null;
        }
        return addresses.networkIfPresent(n.network())
                .map(NetworkSpec::ipv6Prefix)
                .filter(p -> p.length() == 64)
                .map(p -> p.slaacAddress(n.mac()))
                .orElse(null);
    }

    /**
     * The VM after a (re)boot: what guests reported before describes the previous boot (and MACs
     * that may just have changed), so observations and the last report are dropped until the new
     * boot reports.
     */
    private Vm booted(Vm vm, List<Nic> nics) {
        List<Nic> fresh = nics.stream().map(n -> n.withObserved(null)).toList();
        return vm.withReport(fresh, null, clock.instant()).with(VmState.RUNNING, fresh, clock.instant());
    }

    private Vm commit(Vm vm, String event) {
        repository.save(vm);
        reindex(vms.put(vm.name(), vm), vm);
        LOG.debug("event={} vm={} state={}", event, vm.name(), vm.state().wireName());
        return vm;
    }

    /**
     * Called under the VM's lock after its document was written. New MACs are added before old
     * ones are dropped, so a MAC the VM keeps is never briefly missing for a concurrent DHCP lookup.
     */
    private void reindex(Vm before, Vm after) {
        Set<MacAddress> kept = new HashSet<>();
        if (after != null) {
            for (Nic n : after.nics()) {
                for (MacAddress m : new MacAddress[] {n.mac(), n.pendingMac()}) {
                    if (m != null) {
                        kept.add(m);
                        byMac.put(m, after.name());
                    }
                }
            }
        }
        if (before != null) {
            for (Nic n : before.nics()) {
                for (MacAddress m : new MacAddress[] {n.mac(), n.pendingMac()}) {
                    if (m != null && !kept.contains(m)) {
                        byMac.remove(m, before.name());
                    }
                }
            }
        }
    }

    private static Vm replace(Vm vm, Nic nic, Instant now) {
        List<Nic> nics = new ArrayList<>();
        for (Nic n : vm.nics()) {
            nics.add(n.name().equals(nic.name()) ? nic : n);
        }
        return vm.with(vm.state(), nics, now);
    }

    private <T> T locked(String name, java.util.function.Supplier<T> action) {
        ReentrantLock lock = locks.computeIfAbsent(name, k -> new ReentrantLock());
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private static void checkName(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw VmException.badInput(field, "missing");
        }
        if (!NAME.matcher(name).matches()) {
            throw VmException.badInput(field, "\"" + name + "\" must be 1-63 lower-case letters, digits or '-', "
                    + "starting and ending with a letter or digit");
        }
    }

    private static void checkHost(String host) {
        if (host != null && host.isBlank()) {
            throw VmException.badInput("host", "blank");
        }
    }

    private static void checkNic(String field, NicRequest r) {
        if (r == null) {
            throw VmException.badInput(field, "missing");
        }
        checkName(field + ".name", r.name());
        if (r.network() == null || r.network().isBlank()) {
            throw VmException.badInput(field + ".network", "missing");
        }
    }

    private static void checkUsable(String field, MacAddress mac) {
        if (!mac.isUnicast()) {
            throw VmException.badInput(field, mac + " is a multicast address; a NIC needs a unicast MAC");
        }
        if (mac.value() == 0) {
            throw VmException.badInput(field, "00:00:00:00:00:00 is not a usable MAC");
        }
    }

    /** For tests and diagnostics: the current VMs by name. */
    Map<String, Vm> snapshot() {
        return Map.copyOf(vms);
    }
}
