package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the inventory refuses before it takes any lock or any MAC: each refusal is a
 * {@link VmException} of kind BAD_INPUT naming the field ({@code nics[1].name}), so the API answers
 * 400 and the CLI exits 2 with the field in the message.
 */
final class VmInputChecks {
    /** A DNS label (RFC 1123), so a VM name can be a hostname and part of a KubeVirt object name. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private VmInputChecks() {}

    static void name(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw VmException.badInput(field, "missing");
        }
        if (!NAME.matcher(name).matches()) {
            throw VmException.badInput(field, "\"" + name + "\" must be 1-63 lower-case letters, digits or '-', "
                    + "starting and ending with a letter or digit");
        }
    }

    static void host(String host) {
        if (host != null && host.isBlank()) {
            throw VmException.badInput("host", "blank");
        }
    }

    static void nic(String field, NicRequest r) {
        if (r == null) {
            throw VmException.badInput(field, "missing");
        }
        name(field + ".name", r.name());
        if (r.network() == null || r.network().isBlank()) {
            throw VmException.badInput(field + ".network", "missing");
        }
    }

    /** Each request well-formed, and no NIC name twice. */
    static void nics(List<NicRequest> requests) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            NicRequest r = requests.get(i);
            nic("nics[" + i + "]", r);
            if (!names.add(r.name())) {
                throw VmException.badInput("nics[" + i + "].name", "\"" + r.name() + "\" appears twice");
            }
        }
    }

    /** A MAC a NIC can have: unicast and not all zeros. */
    static void usableMac(String field, MacAddress mac) {
        if (mac == null) {
            throw VmException.badInput(field, "missing");
        }
        if (!mac.isUnicast()) {
            throw VmException.badInput(field, mac + " is a multicast address; a NIC needs a unicast MAC");
        }
        if (mac.value() == 0) {
            throw VmException.badInput(field, "00:00:00:00:00:00 is not a usable MAC");
        }
    }
}
