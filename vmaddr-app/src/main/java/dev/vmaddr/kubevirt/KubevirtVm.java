package dev.vmaddr.kubevirt;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.libvirt.Domain;
import dev.vmaddr.libvirt.DomainInterface;
import dev.vmaddr.libvirt.Reconciler;
import java.util.ArrayList;
import java.util.List;

/**
 * A KubeVirt {@code VirtualMachine} (or a {@code VirtualMachineInstance} without one) as vmaddr
 * reconciles it: its NICs on Multus networks, whether it runs, and what a VMI's status shows.
 *
 * <p>The vmaddr VM is {@code metadata.name}, as {@code vmaddr vm export --format kubevirt} writes it
 * (the namespace is kept for messages; two namespaces with one name are refused when read).
 *
 * @param state    {@link Domain#RUNNING}, {@link Domain#SHUT_OFF}, or {@link Domain#AS_IS} when the
 *                 manifest does not say ({@code runStrategy: Manual}, a VMI in phase Unknown)
 * @param nics     the interfaces in {@code spec...interfaces} order, pod network ones included
 * @param observed a VMI's {@code status.interfaces}; empty for a VM alone
 * @param where    {@code file:line} of the document, for messages
 */
public record KubevirtVm(String namespace, String name, String kind, String uid, String state, List<Nic> nics,
                         List<Observed> observed, String where) {
    public static final String VM = "VirtualMachine";
    public static final String VMI = "VirtualMachineInstance";

    public KubevirtVm {
        nics = List.copyOf(nics);
        observed = List.copyOf(observed);
    }

    /**
     * One interface paired with its network.
     *
     * @param binding {@code bridge}, {@code masquerade}, {@code sriov}, {@code macvtap}, {@code passt},
     *                or a binding plugin's name
     * @param nad     the NAD name of {@code multus.networkName} (its namespace stripped); null for the pod network
     * @param line    the line of the interface, for messages
     */
    public record Nic(String name, MacAddress mac, String binding, String nad, String model, int line) {
        public boolean managed() {
            return nad != null;
        }
    }

    /** One entry of a VMI's {@code status.interfaces}; {@code where} is its {@code file:line}. */
    public record Observed(String name, MacAddress mac, List<String> ips, String interfaceName, String where) {
        public Observed {
            ips = List.copyOf(ips);
        }
    }

    public String qualifiedName() {
        return (namespace == null ? "default" : namespace) + "/" + name;
    }

    /**
     * As the planner takes a domain: one interface per NIC on a Multus network, named by the
     * KubeVirt interface name (its {@code ua-} alias), on the vmaddr network named like the NAD.
     * Pod network NICs are left out: the cluster's pod network is not vmaddr's.
     */
    public Domain toDomain() {
        List<DomainInterface> interfaces = new ArrayList<>();
        for (Nic n : nics) {
            if (n.managed()) {
                interfaces.add(new DomainInterface(n.mac(), n.binding(), null, n.nad(), "ua-" + n.name(), n.model(), n.line()));
            }
        }
        return new Domain(name, uid, state, interfaces, false);
    }

    /** The VMI's status interfaces with a MAC, as seen now by the reconcile. */
    public List<Reconciler.Sighting> sightings() {
        return observed.stream().filter(o -> o.mac() != null)
                .map(o -> new Reconciler.Sighting(name, o.name(), o.mac(), o.ips(), o.where())).toList();
    }
}
