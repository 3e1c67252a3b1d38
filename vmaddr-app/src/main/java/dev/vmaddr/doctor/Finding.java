package dev.vmaddr.doctor;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * One diagnosis, as {@code vmaddr doctor --output json} prints it.
 *
 * @param check    stable id: bridge-missing, bridge-down, port-down, stp-forward-delay, mtu-mismatch, path-mtu,
 *                 vlan-missing, ip-forward, nat-masquerade, rp-filter, firewall-dhcp, firewall-forward,
 *                 gateway-unreachable, duplicate-ip, duplicate-mac, rogue-dhcp, probe-skipped, probe-failed
 * @param network  the network it concerns, or null for host-wide findings
 * @param evidence what was observed (with the command that showed it)
 * @param fix      the command (or config change) that fixes it; null when there is none to give
 */
public record Finding(String check, Severity severity, String network, String evidence, String fix) {
    public enum Severity {
        ERROR, WARNING, INFO;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
