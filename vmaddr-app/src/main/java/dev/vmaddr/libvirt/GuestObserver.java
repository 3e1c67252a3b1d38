package dev.vmaddr.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.vm.GuestInterface;
import dev.vmaddr.vm.GuestReport;
import dev.vmaddr.vm.GuestReports;
import dev.vmaddr.vm.Vm;
import dev.vmaddr.vm.VmException;
import dev.vmaddr.vm.VmInventory;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the guest agent of every running domain that has the agent channel for its interfaces
 * ({@code guest-network-get-interfaces} through libvirt) and gives the answer to the VM inventory
 * as an observation of source {@code qemu-guest-agent}, exactly as a report posted to
 * {@code /vms/{v}/observed} would be: drift (a MAC the guest set itself) then shows by itself. A
 * running domain without the agent channel is asked through QEMU's monitor instead
 * ({@code query-rx-filter}: the MAC the guest programmed), source {@code qemu-rx-filter}.
 *
 * <p>A report equal to the one before is not given again (no store write per VM per interval);
 * after a (re)start the inventory has dropped the old one, so the first answer of the new boot is
 * always taken. A guest without an agent, or whose agent does not answer yet (booting), is skipped
 * and asked again next interval.
 */
public final class GuestObserver {
    private static final Logger LOG = LoggerFactory.getLogger(GuestObserver.class);
    static final String GET_INTERFACES = "{\"execute\":\"guest-network-get-interfaces\"}";
    static final String QUERY_RX_FILTER = "{\"execute\":\"query-rx-filter\"}";
    static final Duration AGENT_TIMEOUT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Virsh virsh;
    private final VmInventory inventory;
    private final GuestReports reports;
    private final Map<String, List<GuestInterface>> lastReported = new ConcurrentHashMap<>();

    public GuestObserver(Virsh virsh, VmInventory inventory, GuestReports reports) {
        this.virsh = virsh;
        this.inventory = inventory;
        this.reports = reports;
    }

    /** Asks every running domain with an agent channel whose VM exists; returns how many reports were taken. */
    public int observe(List<Domain> domains) {
        int taken = 0;
        lastReported.keySet().retainAll(domains.stream().map(Domain::name).toList());
        for (Domain d : domains) {
            Optional<Vm> vm = inventory.find(d.name());
            if (!d.active() || vm.isEmpty()) {
                continue;
            }
            try {
                // With an agent channel the agent answers (or, while the guest boots, nothing does); without one,
                // QEMU's rx-filter tells the MAC the guest programmed. Never both for one domain: the
                // observations would flip between sources.
                GuestReport report = d.agentChannel() ? agentReport(d.name())
                        : rxFilterReport(d, vm.get(), virsh.monitorCommand(d.name(), QUERY_RX_FILTER), reports.now());
                Vm current = vm.get();
                boolean known = current.report() != null && report.source().equals(current.report().source())
                        && report.interfaces().equals(lastReported.get(d.name()));
                if (!known) {
                    inventory.report(d.name(), report);
                    lastReported.put(d.name(), report.interfaces());
                    taken++;
                }
            } catch (LibvirtException | VmException e) {
                LOG.debug(LogEvents.LIBVIRT_GUEST_QUERY_FAILED + " vm={} error=\"{}\"", d.name(), e.getMessage());
            }
        }
        return taken;
    }

    /**
     * QMP {@code query-rx-filter}'s answer as a report: each entry's {@code name} is the interface's
     * alias (net0, ua-NAME), which ties it to the domain's interface and, by the interface's MAC, to
     * the VM's NIC; {@code main-mac} is the MAC the guest programmed into the NIC. Entries of no NIC
     * are left out (QEMU's NIC has no MAC of its own to be unknown).
     */
    static GuestReport rxFilterReport(Domain d, Vm vm, String answer, java.time.Instant at) {
        JsonNode list;
        try {
            list = JSON.readTree(answer).get("return");
        } catch (IOException e) {
            throw new LibvirtException("QEMU monitor of " + d.name() + " answered no JSON: " + e.getMessage(), e);
        }
        if (list == null || !list.isArray()) {
            throw new LibvirtException("QEMU monitor of " + d.name() + " answered without a return list");
        }
        List<GuestInterface> out = new java.util.ArrayList<>();
        for (JsonNode e : list) {
            String alias = e.path("name").asText(null);
            String mainMac = e.path("main-mac").asText(null);
            DomainInterface i = d.interfaces().stream().filter(x -> alias != null && alias.equals(x.alias())).findFirst().orElse(null);
            if (i == null || i.mac() == null || mainMac == null) {
                continue;
            }
            Optional<dev.vmaddr.vm.Nic> nic = vm.nics().stream().filter(n -> n.owns(i.mac())).findFirst();
            if (nic.isPresent()) {
                out.add(new GuestInterface(nic.get().name(), null, dev.vmaddr.addr.MacAddress.parse(mainMac), List.of()));
            }
        }
        return new GuestReport(GuestReport.QEMU_RX_FILTER, at, out);
    }

    private GuestReport agentReport(String domain) {
        String answer = virsh.agentCommand(domain, GET_INTERFACES, AGENT_TIMEOUT);
        JsonNode list;
        try {
            list = JSON.readTree(answer).get("return");
        } catch (IOException e) {
            throw new LibvirtException("guest agent of " + domain + " answered no JSON: " + e.getMessage(), e);
        }
        if (list == null || !list.isArray()) {
            throw new LibvirtException("guest agent of " + domain + " answered without a return list");
        }
        return reports.qemuGuestAgent(list);
    }
}
