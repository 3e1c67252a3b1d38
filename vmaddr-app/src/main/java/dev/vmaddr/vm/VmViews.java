package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * What the API and exports show of a VM: its NICs with what is derived from the network rather
 * than stored, the EUI-64 SLAAC address a NIC's MAC forms in the network's /64 (RFC 4291
 * appendix A), computed on every read so it follows MAC and prefix changes, and the DHCPv6 address
 * IPAM holds for the NIC's MAC (looked up on every read for the same reason).
 */
final class VmViews {
    private final NicAddresses addresses;

    VmViews(NicAddresses addresses) {
        this.addresses = addresses;
    }

    VmView view(Vm vm) {
        List<NicView> nics = new ArrayList<>();
        for (Nic n : vm.nics()) {
            nics.add(new NicView(n.name(), n.network(), n.mac(), n.pendingMac(), n.ip(), slaac(n), dhcpv6(n), n.observed()));
        }
        return new VmView(vm.name(), vm.host(), vm.state(), nics);
    }

    NicView view(Vm vm, String nic) {
        return view(vm).nics().stream().filter(n -> n.name().equals(nic)).findFirst()
                .orElseThrow(() -> VmException.notFound("nic " + nic + " of vm " + vm.name()));
    }

    /** The network's spec, for exports and drift texts. */
    NetworkSpec network(String name) {
        return addresses.network(name);
    }

    /** None without a MAC (given back) or without a /64 on the network: SLAAC needs a 64-bit prefix. */
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

    /** None without a MAC; the pending MAC is not asked: the guest cannot use it before the restart. */
    private Ipv6Address dhcpv6(Nic n) {
        return n.mac() == null ? null : addresses.dhcpv6Address(n.network(), n.mac()).orElse(null);
    }
}
