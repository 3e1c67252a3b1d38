package dev.vmaddr.vm.export;

import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code qemu-system} arguments, one {@code -nic bridge,br=..,mac=..,model=virtio-net-pci} per NIC,
 * one per line with shell continuations so the text pastes into a command line. The bridge must be
 * allowed in {@code /etc/qemu/bridge.conf} for qemu-bridge-helper.
 */
public final class QemuExport {
    // QEMU option values are split at ',' (escaped as ",,"); interface names never need it, so refuse rather than escape.
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.:@-]+");

    private QemuExport() {}

    public static String nicArguments(Vm vm, Function<String, NetworkSpec> networks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < vm.nics().size(); i++) {
            Nic nic = vm.nics().get(i);
            String bridge = NicSource.bridge(NicSource.network(networks, nic));
            if (!SAFE.matcher(bridge).matches()) {
                throw new ExportException("bridge \"" + bridge + "\" of network " + nic.network() + " is not a usable interface name");
            }
            sb.append("-nic bridge,br=").append(bridge)
                    .append(",mac=").append(NicSource.mac(vm, nic))
                    .append(",model=virtio-net-pci")
                    .append(i < vm.nics().size() - 1 ? " \\\n" : "\n");
        }
        return sb.toString();
    }
}
