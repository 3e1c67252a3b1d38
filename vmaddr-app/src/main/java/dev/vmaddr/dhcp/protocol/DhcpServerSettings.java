package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import java.time.Duration;
import java.util.Objects;

/**
 * The protocol's knobs, from the config file's {@code dhcp:} section.
 *
 * @param serverId          configured server identifier; null: the receiving interface's address
 * @param offerHold         how long an OFFER keeps its address for the client
 * @param probeAttempts     candidates tried per DISCOVER when probes find addresses in use
 * @param probeTimeout      how long to wait for one probe before calling the address free
 * @param probedFreshFor    an address that probed free within this time is offered again without a probe
 */
public record DhcpServerSettings(boolean authoritative, Ipv4Address serverId, Duration offerHold, int probeAttempts,
                                 Duration probeTimeout, Duration probedFreshFor) {
    public static final DhcpServerSettings DEFAULTS = new DhcpServerSettings(true, null, Duration.ofSeconds(30), 3,
            Duration.ofMillis(300), Duration.ofMinutes(1));

    public DhcpServerSettings {
        Objects.requireNonNull(offerHold, "offerHold");
        Objects.requireNonNull(probeTimeout, "probeTimeout");
        Objects.requireNonNull(probedFreshFor, "probedFreshFor");
        if (probeAttempts < 1) {
            throw new IllegalArgumentException("probeAttempts must be at least 1, not " + probeAttempts);
        }
    }

    public DhcpServerSettings withAuthoritative(boolean value) {
        return new DhcpServerSettings(value, serverId, offerHold, probeAttempts, probeTimeout, probedFreshFor);
    }
}
