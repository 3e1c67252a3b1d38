package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * DISCOVER → an offered lease, with the conflict probe before an address is first offered.
 *
 * <p>An address needs no probe when this client held it before (bound, released or expired — it was in
 * use by this very client) or it probed free within {@code probedFreshFor}. Otherwise the probe runs and
 * this thread waits for it (bounded by {@code probeTimeout}). With a probe configured the server never
 * runs the protocol inline but on a virtual thread per packet ({@code DhcpServer.Dispatch}), so the
 * wait does not stall other clients. An address that answers is marked in conflict (quarantined by the
 * engine) and the engine is asked for another, at most {@code probeAttempts} times.
 */
final class Discovery {
    /** A late answer is handled on a virtual thread of its own: not on the probe's receiver, which a store write would stall. */
    private static final Executor LATE_ANSWERS = task -> Thread.ofVirtual().name("late-probe-answer").start(task);
    private final LeaseOperations leases;
    private final DhcpServerSettings settings;
    private final ConflictProbe probe;
    private final DhcpEvents events;
    private final ProbedAddresses probed;

    Discovery(LeaseOperations leases, DhcpServerSettings settings, ConflictProbe probe, DhcpEvents events,
              ProbedAddresses probed) {
        this.leases = leases;
        this.settings = settings;
        this.probe = probe;
        this.events = events;
        this.probed = probed;
    }

    Optional<Lease> offer(DhcpProtocol.Incoming in) {
        String network = in.net().name();
        Ipv4Address wanted = in.msg().options().requestedIp().filter(ip -> in.net().cidr().contains(ip)).orElse(null);
        AllocationRequest req = in.allocation(wanted);
        // Only the probe decision needs the holder's previous lease: without a probe, skip the lookup
        // (a store query per DISCOVER on PostgreSQL).
        Optional<Lease> before = probe == ConflictProbe.NONE ? Optional.empty() : leases.leaseOf(network, in.holder());
        for (int attempt = 0; attempt < settings.probeAttempts(); attempt++) {
            Lease offered = leases.offer(network, req, settings.offerHold());
            if (!needsProbe(offered, before) || !answers(in, offered.ip())) {
                events.lease(LeaseEvent.OFFERED, offered);
                return Optional.of(offered);
            }
            Lease conflict = leases.markConflict(network, offered.ip(), "answered a probe on "
                    + (in.ctx().interfaceName() == null ? "the routed path" : in.ctx().interfaceName()));
            probed.forget(network, offered.ip());
            events.probeConflict(network, offered.ip());
            events.lease(LeaseEvent.CONFLICT, conflict);
            req = req.withRequestedIp(null);
        }
        events.dropped(DropReason.PROBE_CONFLICTS, settings.probeAttempts() + " candidates answered the probe in " + network);
        return Optional.empty();
    }

    /**
     * The address answered after the offer went out (issue 15 item 9: under load the squatter's
     * echo reply came after the timeout and the in-use address was ACKed). It is quarantined now,
     * whoever holds it: the offer is withdrawn, so the client's REQUEST gets a NAK and it moves on; a
     * lease bound meanwhile becomes declined and its next renewal gets a NAK.
     */
    private void quarantineLate(DhcpProtocol.Incoming in, Ipv4Address ip) {
        String network = in.net().name();
        probed.forget(network, ip);
        if (probe.answeredBy(ip).filter(in.mac()::equals).isPresent()) {
            return; // the client itself, which has the address by now: its ARP answer released our echo request
        }
        try {
            Lease conflict = leases.markConflict(network, ip, "answered a probe late on "
                    + (in.ctx().interfaceName() == null ? "the routed path" : in.ctx().interfaceName()));
            events.lateProbeConflict(network, ip);
            events.lease(LeaseEvent.CONFLICT, conflict);
        } catch (AllocationException e) {
            events.probeFailed(network, ip, e);
        }
    }

    private boolean needsProbe(Lease offered, Optional<Lease> before) {
        if (probe == ConflictProbe.NONE) {
            return false;
        }
        boolean heldBefore = before.isPresent() && before.get().ip().equals(offered.ip())
                && before.get().state() != LeaseState.DECLINED;
        return !heldBefore && !probed.recentlyFree(offered.network(), offered.ip());
    }

    private boolean answers(DhcpProtocol.Incoming in, Ipv4Address ip) {
        String network = in.net().name();
        CompletableFuture<Boolean> answer;
        try {
            answer = probe.inUse(in.ctx().interfaceName(), ip);
        } catch (RuntimeException e) {
            events.probeFailed(network, ip, e);
            return false;
        }
        try {
            boolean inUse = answer.get(settings.probeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!inUse) {
                probed.rememberFree(network, ip);
            }
            return inUse;
        } catch (TimeoutException e) {
            probed.rememberFree(network, ip); // silence within the timeout is the answer "free"
            answer.thenAcceptAsync(late -> {
                if (late) {
                    quarantineLate(in, ip);
                }
            }, LATE_ANSWERS);
            return false;
        } catch (ExecutionException | RuntimeException e) {
            events.probeFailed(network, ip, e instanceof ExecutionException ee ? ee.getCause() : e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            events.probeFailed(network, ip, e);
            return false;
        }
    }
}
