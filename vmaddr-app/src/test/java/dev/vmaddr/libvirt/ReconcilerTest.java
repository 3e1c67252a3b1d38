package dev.vmaddr.libvirt;

import static dev.vmaddr.libvirt.LibvirtFixture.bridge;
import static dev.vmaddr.libvirt.LibvirtFixture.domain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.VmState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** reconcile --from libvirt: the sync's planner on files, states untouched, live addresses kept, claims all or nothing. */
class ReconcilerTest {
    private static final String M1 = "52:54:00:00:00:01";
    private static final String M2 = "52:54:00:00:00:02";
    private static final String M3 = "52:54:00:00:00:03";

    private final LibvirtFixture f = new LibvirtFixture();
    /** What the "DHCP server" saw: ip → when. */
    private final Map<Ipv4Address, Instant> dhcpSeen = new HashMap<>();
    private final Reconciler reconciler = new Reconciler(f.inventory, f.managed, f::networks,
            (network, ip, mac) -> Optional.ofNullable(dhcpSeen.get(ip)), f.clock);

    @Test
    void aDryRunPrintsTheClaimsAndWritesNothing() {
        Reconciler.Result r = reconciler.reconcile(List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1"))), true);

        assertThat(r.dryRun()).isTrue();
        assertThat(r.applied()).isFalse();
        assertThat(r.claimed()).containsExactly(new Reconciler.Claimed("web1", "nic0", MacAddress.parse(M1), "t1"));
        assertThat(f.inventory.list()).isEmpty();
        assertThat(f.pool.record(MacAddress.parse(M1))).isEmpty();
    }

    @Test
    void applyingClaimsWithoutStartingAndTheSameFilesAgainChangeNothing() {
        List<Domain> files = List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1")));
        Reconciler.Result r = reconciler.reconcile(files, false);

        assertThat(r.applied()).isTrue();
        assertThat(f.inventory.get("web1").state()).as("a file says nothing about running").isEqualTo(VmState.STOPPED);
        assertThat(f.inventory.get("web1").nics().getFirst().mac()).isEqualTo(MacAddress.parse(M1));
        Reconciler.Result again = reconciler.reconcile(files, false);
        assertThat(again.claimed()).isEmpty();
        assertThat(again.released()).isEmpty();
        assertThat(again.plan().vms()).extracting(SyncPlan.VmPlan::action).containsExactly(SyncPlan.Action.UNCHANGED);
    }

    @Test
    void aVmWhoseDomainIsGoneIsReleasedOnlyOnceItsHolderWasNotSeenForALeaseTime() {
        f.sync(List.of(domain("web1", Domain.RUNNING, bridge(M1, "br-t1")), domain("db1", Domain.RUNNING, bridge(M2, "br-t1"))),
                new ArrayList<>());
        Nic web = f.inventory.get("web1").nics().getFirst();
        dhcpSeen.put(web.ip(), f.clock.instant());

        Reconciler.Result r = reconciler.reconcile(List.of(domain("db1", Domain.RUNNING, bridge(M2, "br-t1"))), false);
        assertThat(r.released()).isEmpty();
        assertThat(r.flagged()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo("seen-recently");
            assertThat(c.vm()).isEqualTo("web1");
        });
        assertThat(f.inventory.find("web1")).isPresent();

        f.clock.advance(Duration.ofHours(1).plusSeconds(1)); // the networks' lease time (default 1h)
        Reconciler.Result later = reconciler.reconcile(List.of(domain("db1", Domain.RUNNING, bridge(M2, "br-t1"))), false);
        assertThat(later.released()).containsExactly(new Reconciler.Released("web1", "nic0", web.mac(), web.ip(), "t1"));
        assertThat(f.inventory.find("web1")).isEmpty();
        assertThat(f.inventory.find("db1")).isPresent();
    }

    @Test
    void oneRefusedClaimUndoesTheOthersAndReleasesNothing() {
        f.sync(List.of(domain("old", Domain.SHUT_OFF, bridge(M3, "br-t1"))), new ArrayList<>());
        f.clock.advance(Duration.ofHours(2));
        f.pool.claim(MacAddress.parse(M2), "someone-else"); // held outside any VM: the planner cannot know

        Reconciler.Result r = reconciler.reconcile(List.of(domain("a", Domain.SHUT_OFF, bridge(M1, "br-t1")),
                domain("b", Domain.SHUT_OFF, bridge(M2, "br-t1"))), false);

        assertThat(r.applied()).isFalse();
        assertThat(r.errors()).singleElement().asString().startsWith("nothing applied: ").contains(M2);
        assertThat(f.inventory.find("a")).as("undone").isEmpty();
        assertThat(f.inventory.find("b")).isEmpty();
        assertThat(f.inventory.find("old")).as("nothing released").isPresent();
        assertThat(f.managed.allNames()).containsExactly("old");
    }
}
