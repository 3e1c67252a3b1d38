package dev.vmaddr.libvirt;

import dev.vmaddr.addr.MacAddress;

/**
 * One {@code <interface>} of a domain definition, in domain order.
 *
 * @param mac     {@code <mac address>}; null when the XML has none (libvirt fills one in at define
 *                time, so only a file given to reconcile lacks it)
 * @param type    the interface type: {@code bridge}, {@code network}, {@code direct}, ...
 * @param bridge  {@code <source bridge>}; for a running {@code network} interface libvirt adds the
 *                network's bridge here too; null when none
 * @param network {@code <source network>}; null unless the type is {@code network}
 * @param alias   {@code <alias name>}: {@code ua-NAME} for a user alias, {@code net0} for libvirt's own
 * @param model   {@code <model type>} ({@code virtio}, {@code e1000}); null when absent
 * @param line    the line of the {@code <interface>} element in the XML, for messages
 */
public record DomainInterface(MacAddress mac, String type, String bridge, String network, String alias, String model,
                              int line) {
    /** The NIC name a user alias gives ({@code ua-web} → {@code web}); null otherwise. */
    public String userAliasName() {
        return alias != null && alias.startsWith("ua-") && alias.length() > 3 ? alias.substring(3) : null;
    }
}
