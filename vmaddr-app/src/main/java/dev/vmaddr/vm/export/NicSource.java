package dev.vmaddr.vm.export;

import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import java.util.function.Function;

/** What every VM export needs per NIC: its network's spec, and a MAC to give the hypervisor. */
final class NicSource {
    private NicSource() {}

    static NetworkSpec network(Function<String, NetworkSpec> networks, Nic nic) {
        return networks.apply(nic.network());
    }

    static String bridge(NetworkSpec n) {
        if (n.bridge() == null || n.bridge().isBlank()) {
            throw new ExportException("network " + n.name() + " has no bridge: set the host interface it lives on (bridge:)");
        }
        return n.bridge();
    }

    static String mac(Vm vm, Nic nic) {
        if (nic.mac() == null) {
            throw new ExportException("nic " + nic.name() + " of vm " + vm.name() + " holds no MAC: network " + nic.network()
                    + " gave it back when the VM stopped (release: on-stop); start the VM in vmaddr first");
        }
        return nic.mac().toString();
    }
}
