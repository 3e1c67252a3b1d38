package dev.vmaddr.nad;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * One problem found in a NAD.
 *
 * @param nad  the NAD's metadata.name, or null for file-level problems
 * @param rule stable id: config-json, route-annotation, cni-type, bridge-name, master-missing, macvlan-mac (the
 *             requested MAC will not apply, any CNI type), mac-static, mac-version, mac-ipam-blind, ipam-missing, mtu-mismatch, vlan-range, vlan-mismatch, route-mismatch, yaml
 * @param fix  what to write instead (a JSON snippet or the fixed chain); null when there is nothing to show
 */
public record LintFinding(Severity severity, String rule, String nad, String message, String fix) {
    public enum Severity {
        ERROR, WARNING, INFO;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
