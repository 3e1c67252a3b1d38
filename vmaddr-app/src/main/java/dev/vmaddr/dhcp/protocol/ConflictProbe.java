package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the network whether an address is already in use (ICMP echo or ARP) before it is first offered.
 * Implementations must not block the caller: they return at once and complete the future later
 * (true = something answered). A failed future counts as "not in use" — a broken prober must not
 * stop DHCP — and is reported through {@link DhcpEvents#probeFailed}.
 *
 * <p>The caller waits only for its probe timeout, then offers the address. An implementation may keep
 * listening after that and complete the future with true when an answer comes late (a loaded host,
 * a slow squatter): the caller then quarantines the address after the fact, so the client's REQUEST
 * for it, or its next renewal, gets a NAK. It must complete the future (false) in bounded time.
 */
public interface ConflictProbe {
    /** Never probes; every address is free. For {@code dhcp.probe: none} and for tests. */
    ConflictProbe NONE = (networkInterface, ip) -> CompletableFuture.completedFuture(false);

    /**
     * @param networkInterface the interface the request came in on, or null for a relayed request (the
     *                         probe then follows the routing table)
     */
    CompletableFuture<Boolean> inUse(String networkInterface, Ipv4Address ip);

    /**
     * The hardware address that answers for {@code ip} now (the host's neighbour table), when known.
     * For a late answer: the echo request may have waited in the kernel's ARP queue until the client
     * itself took the address, and then the client answered, not a squatter.
     */
    default Optional<MacAddress> answeredBy(Ipv4Address ip) {
        return Optional.empty();
    }
}
