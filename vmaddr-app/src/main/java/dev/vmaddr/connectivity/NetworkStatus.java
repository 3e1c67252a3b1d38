package dev.vmaddr.connectivity;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import java.time.Instant;
import java.util.Locale;

/**
 * The connectivity status of one network, as {@code GET /api/v1/networks/{n}/status} returns it.
 *
 * @param status  Active, Inactive (checked and broken), or Unknown (nothing was checked: no interface on this
 *                host to check from, or the first check has not finished)
 * @param reason  null when Active; else one of {@link Reason}'s texts
 * @param detail  what exactly was seen (additive to the contract), null when Active
 * @param cidr    learned (auto) or configured (manual); null when unknown
 * @param gateway learned (auto) or configured (manual); null when unknown
 */
public record NetworkStatus(String network, Mode mode, Status status, String reason, String detail, Ipv4Prefix cidr,
                            Ipv4Address gateway, Instant checkedAt) {
    public enum Mode {
        AUTO, MANUAL;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Status {
        Active, Inactive, Unknown
    }

    /** Why a network is Inactive or Unknown. The texts are API output: add, do not rename. */
    public enum Reason {
        NO_INTERFACE("no interface"),
        INTERFACE_DOWN("interface down"),
        NO_DHCP_OFFER("no DHCP offer"),
        NO_GATEWAY_OFFERED("DHCP offer has no gateway"),
        CIDR_DIFFERS("learned CIDR differs from config"),
        ARP_SILENT("gateway silent to ARP"),
        ICMP_SILENT("gateway silent to ICMP"),
        PROBE_FAILED("probe failed"),
        /** A network vmaddr serves (or a manual route) naming no gateway or CIDR: nothing to probe (Unknown). */
        NO_GATEWAY("no gateway configured"),
        /** Known but its first check has not finished yet (checks run in the background). */
        NOT_CHECKED("not checked yet");

        public final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    /**
     * The status of a network whose first check has not finished: Unknown (nothing is proven either
     * way, and Inactive would raise an alarm for a network no one has looked at), reason "not checked
     * yet", {@code checkedAt} null, and the configured route values (manual) or CIDR/gateway (auto) where known.
     */
    public static NetworkStatus pending(ProbeTarget t) {
        boolean manual = t.route().mode() == dev.vmaddr.model.RouteSpec.Mode.MANUAL;
        return new NetworkStatus(t.network(), manual ? Mode.MANUAL : Mode.AUTO, Status.Unknown, Reason.NOT_CHECKED.text,
                null, manual ? t.route().cidr() : t.cidr(), manual ? t.route().gateway() : t.gateway(), null);
    }

    public boolean active() {
        return status == Status.Active;
    }

    /** Checked and found broken; Unknown is neither this nor {@link #active()}. */
    public boolean inactive() {
        return status == Status.Inactive;
    }
}
