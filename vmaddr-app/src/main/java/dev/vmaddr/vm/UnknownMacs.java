package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.log.LogEvents;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MACs that leased an address on a network and belong to no VM NIC there: documents of kind
 * {@code vm-unknown-mac} keyed {@code network/mac}, cached here.
 *
 * <p>Reading never deletes. A record goes when a NIC on its network takes the MAC ({@link #forget},
 * called after that NIC's VM was committed and indexed). The DHCP path records a lease without the
 * VM's lock, so it checks the index again after {@link #remember}: either it sees the NIC, or the
 * NIC's forget comes after its write. Records a NIC took before that rule (when reads deleted
 * them) stay on disk, so a read also leaves out what a NIC holds now.
 */
final class UnknownMacs {
    private static final Logger LOG = LoggerFactory.getLogger(UnknownMacs.class);

    private final VmRepository repository;
    private final ConcurrentHashMap<String, UnknownMac> unknown = new ConcurrentHashMap<>();

    UnknownMacs(VmRepository repository) {
        this.repository = repository;
        repository.loadUnknown().forEach(u -> unknown.put(key(u.network(), u.mac()), u));
    }

    /**
     * The unknown MACs of {@code network}, oldest first, without those {@code heldByNic(network, mac)}
     * says a NIC holds now.
     */
    List<UnknownMac> list(String network, BiPredicate<String, MacAddress> heldByNic) {
        return unknown.values().stream()
                .filter(u -> u.network().equals(network) && !heldByNic.test(u.network(), u.mac()))
                .sorted(Comparator.comparing(UnknownMac::at)).toList();
    }

    /** {@code mac} leased {@code ip} on {@code network}; written only when new or at a new address. */
    void remember(String network, MacAddress mac, Ipv4Address ip, Instant at) {
        UnknownMac known = unknown.get(key(network, mac));
        if (known != null && known.ip().equals(ip)) {
            return;
        }
        UnknownMac u = new UnknownMac(network, mac, ip, at);
        repository.saveUnknown(u);
        unknown.put(key(network, mac), u);
        LOG.info(LogEvents.VM_UNKNOWN_MAC + " network={} mac={} ip={}", network, mac, ip);
    }

    /** A NIC on {@code network} took {@code mac}: it is not unknown there any more. */
    void forget(String network, MacAddress mac) {
        UnknownMac u = unknown.get(key(network, mac));
        if (u != null && unknown.remove(key(network, mac), u)) {
            repository.deleteUnknown(network, mac);
        }
    }

    private static String key(String network, MacAddress mac) {
        return network + "/" + mac;
    }
}
