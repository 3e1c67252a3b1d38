package dev.vmaddr.log;

import dev.vmaddr.model.LeaseState;

/**
 * Every log event vmaddr writes, by its stable name: the one place an operator (or a test) looks
 * up what {@code event=...} can appear and greps for it, as Kea keeps its message ids in one
 * catalogue. A log line starts with its event, then {@code key=value} pairs:
 * {@code LOG.info(LogEvents.LEASE_DECLINED + " network={} ip={}", ...)}. The constants are
 * compile-time strings, so the format stays a constant and costs nothing at run time.
 *
 * <p>Names: lower-case words; {@code .} separates levels from the general to the specific (area,
 * then what it is about, then what happened), {@code _} joins the words of one level
 * ({@code store.recovery.segment_dropped}); no {@code -}. A name is a contract with whoever greps
 * logs: add names, do not rename one without a note in docs/config.md. Names are never built at
 * run time; where an enum chooses the event, a switch here (or beside the enum, when this package
 * may not see it) picks the constant.
 */
public final class LogEvents {
    private LogEvents() {}

    // ---- server: start, stop, services (serve/) ----
    public static final String SERVER_READY = "event=server.ready";
    /** One step of start-up (jvm, store, engine, api, gc, services) with its wall and process CPU milliseconds. */
    public static final String SERVER_STARTUP_PHASE = "event=server.startup.phase";
    public static final String SERVER_STOPPING = "event=server.stopping";
    public static final String SERVER_STOPPED = "event=server.stopped";
    public static final String SERVICE_STARTED = "event=service.started";
    /** A service failed to stop; the others still stop. */
    public static final String SERVICE_STOP_FAILED = "event=service.stop.failed";

    // ---- API (api/) ----
    /** Shutdown gave up waiting for requests still in flight. */
    public static final String API_DRAIN_TIMEOUT = "event=api.drain.timeout";
    /** A request failed with an unexpected error (answered 500). */
    public static final String API_ERROR = "event=api.error";

    // ---- networks (ipam/, api/, serve/, connectivity/) ----
    public static final String NETWORK_SEEDED = "event=network.seeded";
    public static final String NETWORK_CREATED = "event=network.created";
    public static final String NETWORK_UPDATED = "event=network.updated";
    public static final String NETWORK_DELETED = "event=network.deleted";
    /** The allocation engine applies a network's spec. */
    public static final String NETWORK_PUT = "event=network.put";
    public static final String NETWORK_REMOVED = "event=network.removed";
    /** A network changed by another server sharing the database was applied here. */
    public static final String NETWORK_SYNCED = "event=network.synced";
    public static final String NETWORK_SYNC_FAILED = "event=network.sync.failed";
    public static final String NETWORK_CHECKED = "event=network.checked";
    public static final String NETWORK_CHECK_FAILED = "event=network.check_failed";
    public static final String NETWORK_LISTENER_FAILED = "event=network.listener_failed";
    public static final String NAD_IMPORTED = "event=nad.imported";

    // ---- leases (ipam/, serve/) ----
    public static final String LEASE_OFFERED = "event=lease.offered";
    public static final String LEASE_OFFER_WITHDRAWN = "event=lease.offer_withdrawn";
    public static final String LEASE_BOUND = "event=lease.bound";
    public static final String LEASE_RENEWED = "event=lease.renewed";
    public static final String LEASE_RELEASED = "event=lease.released";
    public static final String LEASE_EXPIRED = "event=lease.expired";
    public static final String LEASE_DECLINED = "event=lease.declined";
    public static final String LEASE_QUARANTINE_OVER = "event=lease.quarantine_over";
    /** The store refused a lease write because another writer changed the lease first. */
    public static final String LEASE_STORE_CONFLICT = "event=lease.store_conflict";
    public static final String LEASE_EXPIRE_FAILED = "event=lease.expire_failed";
    public static final String LEASE_RECLAIMED = "event=lease.reclaimed";
    public static final String LEASE_RECLAIM_FAILED = "event=lease.reclaim.failed";
    public static final String HISTORY_PRUNED = "event=history.pruned";
    public static final String HISTORY_PRUNE_FAILED = "event=history.prune.failed";

    // ---- MAC pool (mac/, api/, serve/) ----
    public static final String MAC_ALLOCATED = "event=mac.allocated";
    public static final String MAC_CLAIMED = "event=mac.claimed";
    public static final String MAC_RESERVED = "event=mac.reserved";
    public static final String MAC_OBSERVED = "event=mac.observed";
    public static final String MAC_RELEASED = "event=mac.released";
    public static final String MAC_QUARANTINE_ENDED = "event=mac.quarantine.ended";
    public static final String MAC_STORE_CONFLICT = "event=mac.store_conflict";

    // ---- VM inventory (vm/, serve/) ----
    public static final String VM_CREATED = "event=vm.created";
    public static final String VM_STARTED = "event=vm.started";
    public static final String VM_RESTARTED = "event=vm.restarted";
    public static final String VM_STOPPED = "event=vm.stopped";
    public static final String VM_MIGRATED = "event=vm.migrated";
    public static final String VM_DELETED = "event=vm.deleted";
    public static final String VM_REPORTED = "event=vm.reported";
    /** A start, restart or stop failed on one NIC; the NICs already changed were committed. */
    public static final String VM_PARTIAL = "event=vm.partial";
    public static final String VM_NIC_ADDED = "event=vm.nic.added";
    public static final String VM_NIC_REMOVED = "event=vm.nic.removed";
    /** A NIC got its MAC and address. */
    public static final String VM_NIC_BOUND = "event=vm.nic.bound";
    /** A NIC gave its MAC and address back. */
    public static final String VM_NIC_RELEASED = "event=vm.nic.released";
    public static final String VM_NIC_MAC_PENDING = "event=vm.nic.mac_pending";
    public static final String VM_NIC_MAC_CHANGED = "event=vm.nic.mac_changed";
    public static final String VM_NIC_DHCP_OBSERVED = "event=vm.nic.dhcp_observed";
    /** A MAC that belongs to no VM NIC leased an address. */
    public static final String VM_UNKNOWN_MAC = "event=vm.unknown_mac";
    public static final String VM_DHCP_OBSERVE_FAILED = "event=vm.dhcp_observe.failed";
    /** A NIC took a MAC recorded as unknown, and deleting that record failed (it stays hidden). */
    public static final String VM_UNKNOWN_MAC_FORGET_FAILED = "event=vm.unknown_mac.forget_failed";

    // ---- libvirt (libvirt/, serve/) ----
    /** A sync pass changed VMs: counts of created, updated, removed and conflicts. */
    public static final String LIBVIRT_SYNCED = "event=libvirt.synced";
    /** libvirtd cannot be reached (or virsh fails): logged once per outage, sync retried every interval. */
    public static final String LIBVIRT_UNREACHABLE = "event=libvirt.unreachable";
    /** libvirtd answers again after an outage; sync resumes. */
    public static final String LIBVIRT_REACHABLE = "event=libvirt.reachable";
    /** One step of a sync failed (the others still apply); retried at the next pass. */
    public static final String LIBVIRT_STEP_FAILED = "event=libvirt.step.failed";
    /** A domain MAC another VM's NIC holds, or another conflict the sync leaves to the operator (once per appearance). */
    public static final String LIBVIRT_CONFLICT = "event=libvirt.conflict";
    /** {@code vmaddr reconcile --from libvirt|kubevirt} applied: source, claims, releases, flagged. */
    public static final String LIBVIRT_RECONCILED = "event=libvirt.reconciled";
    /** A pending MAC was written into a shut-off domain's definition. */
    public static final String LIBVIRT_DOMAIN_MAC_DEFINED = "event=libvirt.domain.mac_defined";
    /** A guest agent or QEMU monitor query failed for a running domain (debug: agents come and go with guests). */
    public static final String LIBVIRT_GUEST_QUERY_FAILED = "event=libvirt.guest.query_failed";

    // ---- DHCP server (dhcp/, serve/) ----
    // ---- IPv6: router advertisements (ra/) and DHCPv6 (dhcp6/) ----
    public static final String RA_LISTENING = "event=ra.listening";
    public static final String RA_SENT = "event=ra.sent";
    public static final String RA_SEND_FAILED = "event=ra.send_failed";
    public static final String RA_RECEIVE_FAILED = "event=ra.receive_failed";
    public static final String DHCP_SIX_LISTENING = "event=dhcp.six.listening";
    public static final String DHCP_SIX_RECEIVE_FAILED = "event=dhcp.six.receive_failed";
    public static final String DHCP_SIX_SEND_FAILED = "event=dhcp.six.send_failed";
    public static final String DHCP_SIX_MALFORMED = "event=dhcp.six.malformed";
    public static final String DHCP_SIX_DROPPED = "event=dhcp.six.dropped";
    public static final String DHCP_SIX_HANDLER_FAILED = "event=dhcp.six.handler_failed";
    public static final String DHCP_SIX_LEASE_BOUND = "event=dhcp.six.lease_bound";
    public static final String DHCP_SIX_LEASE_RELEASED = "event=dhcp.six.lease_released";
    public static final String DHCP_SIX_LEASE_DECLINED = "event=dhcp.six.lease_declined";

    public static final String DHCP_STARTED = "event=dhcp.started";
    public static final String DHCP_LISTENING = "event=dhcp.listening";
    public static final String DHCP_STOPPED = "event=dhcp.stopped";
    public static final String DHCP_WARMUP_DONE = "event=dhcp.warmup.done";
    public static final String DHCP_WARMUP_FAILED = "event=dhcp.warmup.failed";
    public static final String DHCP_INTERFACE_MISSING = "event=dhcp.interface_missing";
    public static final String DHCP_RECEIVED = "event=dhcp.received";
    public static final String DHCP_SENT = "event=dhcp.sent";
    public static final String DHCP_MALFORMED = "event=dhcp.malformed";
    public static final String DHCP_DROPPED = "event=dhcp.dropped";
    public static final String DHCP_NAK = "event=dhcp.nak";
    public static final String DHCP_PROBE_CONFLICT = "event=dhcp.probe_conflict";
    public static final String DHCP_PROBE_FAILED = "event=dhcp.probe_failed";
    public static final String DHCP_PROBE_CLOSE_FAILED = "event=dhcp.probe_close_failed";
    public static final String DHCP_RECEIVE_FAILED = "event=dhcp.receive_failed";
    public static final String DHCP_HANDLER_FAILED = "event=dhcp.handler_failed";
    public static final String DHCP_SEND_FAILED = "event=dhcp.send_failed";
    public static final String DHCP_CLOSE_FAILED = "event=dhcp.close_failed";
    /** The DHCP view of a lease change, at DEBUG (the engine logs the change itself at INFO). */
    public static final String DHCP_LEASE_OFFERED = "event=dhcp.lease_offered";
    public static final String DHCP_LEASE_BOUND = "event=dhcp.lease_bound";
    public static final String DHCP_LEASE_RENEWED = "event=dhcp.lease_renewed";
    public static final String DHCP_LEASE_RENEWED_FROM_CACHE = "event=dhcp.lease_renewed_from_cache";
    public static final String DHCP_LEASE_OFFER_RETRACTED = "event=dhcp.lease_offer_retracted";
    public static final String DHCP_LEASE_RELEASED = "event=dhcp.lease_released";
    public static final String DHCP_LEASE_DECLINED = "event=dhcp.lease_declined";
    public static final String DHCP_LEASE_CONFLICT = "event=dhcp.lease_conflict";

    // ---- probes and host commands (dhcp/server, connectivity/, hostnet/) ----
    public static final String PROBE_RECEIVE_FAILED = "event=probe.receive_failed";
    public static final String PROBE_CLEANUP_FAILED = "event=probe.cleanup_failed";
    public static final String PROBE_STALE_NAMESPACE_DELETED = "event=probe.stale_namespace_deleted";
    public static final String CONNECTIVITY_SYNC_FAILED = "event=connectivity.sync_failed";
    public static final String COMMAND_TIMEOUT = "event=command.timeout";

    // ---- store (store/) ----
    public static final String STORE_OPENED = "event=store.opened";
    public static final String STORE_CLOSED = "event=store.closed";
    public static final String STORE_CLOSE_FAILED = "event=store.close.failed";
    public static final String STORE_CLOSE_SNAPSHOT_TIMEOUT = "event=store.close.snapshot_timeout";
    public static final String STORE_CLOSE_UNLOCK_FAILED = "event=store.close.unlock_failed";
    /** A write failed to reach the disk: the store turns read-only. */
    public static final String STORE_WRITE_FAILED = "event=store.write.failed";
    public static final String STORE_WRITE_TRUNCATE_FAILED = "event=store.write.truncate_failed";
    public static final String STORE_DURABLE_CALLBACK_FAILED = "event=store.durable_callback_failed";
    public static final String STORE_SNAPSHOT_WRITTEN = "event=store.snapshot.written";
    public static final String STORE_SNAPSHOT_FAILED = "event=store.snapshot.failed";
    /** A torn tail (what a crash leaves) was cut at recovery. */
    public static final String STORE_RECOVERY_TRUNCATED = "event=store.recovery.truncated";
    public static final String STORE_RECOVERY_CORRUPTION_MID_LOG = "event=store.recovery.corruption_mid_log";
    public static final String STORE_RECOVERY_SEGMENT_DROPPED = "event=store.recovery.segment_dropped";
    public static final String STORE_RECOVERY_SNAPSHOT_REJECTED = "event=store.recovery.snapshot_rejected";
    /** PostgreSQL: logged once when the database stops answering, then {@link #STORE_DB_RECOVERED}. */
    public static final String STORE_DB_UNREACHABLE = "event=store.db.unreachable";
    public static final String STORE_DB_RECOVERED = "event=store.db.recovered";
    public static final String STORE_LEASE_RELOADED = "event=store.lease.reloaded";
    public static final String STORE_LEASE_REMOVALS_PRUNED = "event=store.lease.removals.pruned";
    public static final String STORE_LEASE_REMOVALS_PRUNE_FAILED = "event=store.lease.removals.prune_failed";
    public static final String STORE_LEASE_POLL_FAILED = "event=store.lease.poll.failed";
    public static final String STORE_LEASE_POLL_BUG = "event=store.lease.poll.bug";
    public static final String STORE_LEASE_COMMIT_BUG = "event=store.lease.commit.bug";

    public static final String RESERVATION_TAKE_OVER = "event=reservation.take_over";

    public static final String PROBE_RELEASE_FAILED = "event=probe.release_failed";

    public static final String API_AUTH_FAILED = "event=api.auth.failed";
    public static final String API_TLS_RELOAD_FAILED = "event=api.tls.reload.failed";
    public static final String API_TLS_RELOADED = "event=api.tls.reloaded";
    public static final String API_WRITE = "event=api.write";

    public static final String ALLOCATION_RESYNC_FAILED = "event=allocation.resync_failed";
    public static final String ALLOCATION_RESYNCED = "event=allocation.resynced";
    public static final String DHCP_PROBE_CONFLICT_LATE = "event=dhcp.probe_conflict_late";
    public static final String LEASE_TAKEN_OVER = "event=lease.taken_over";
    /** One client-id bound from a second MAC while its lease from the first was live: a cloned machine-id (issue 20). */
    public static final String LEASE_CLIENT_ID_SHARED = "event=lease.client_id_shared";
    /** A guest uses an address that is not its NIC's; the address is blocked so it is never offered (issue 20). */
    public static final String LEASE_SQUATTED = "event=lease.squatted";
    /** A VM was created as a copy of another (POST /vms with cloneOf). */
    public static final String VM_CLONED = "event=vm.cloned";
    /** A MAC moved from one owner to another (a VM cloned with keepMacs takes its source's MACs). */
    public static final String MAC_TRANSFERRED = "event=mac.transferred";
    /** The host's own interface MACs (and its peers') were read into the MAC pool's blocked set. */
    public static final String MAC_HOST_SCANNED = "event=mac.host_scanned";
    public static final String MAC_HOST_SCAN_FAILED = "event=mac.host_scan.failed";
    public static final String LEASE_IMPORTED = "event=lease.imported";
    public static final String RESERVATION_IMPORTED = "event=reservation.imported";
    public static final String IMPORT_DONE = "event=import.done";
    public static final String IMPORT_REQUEST = "event=import.request";

    public static final String PROBE_NEIGHBOUR_UNKNOWN = "event=probe.neighbour_unknown";

    public static final String CNI_RELEASED = "event=cni.released";

    /** The event of a lease now in {@code state}. */
    public static String lease(LeaseState state) {
        return switch (state) {
            case OFFERED -> LEASE_OFFERED;
            case BOUND -> LEASE_BOUND;
            case RELEASED -> LEASE_RELEASED;
            case EXPIRED -> LEASE_EXPIRED;
            case DECLINED -> LEASE_DECLINED;
        };
    }
}
