package dev.vmaddr.cni.plugin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ADD result in the config's own {@code cniVersion}. 1.x and 0.3.x/0.4.0 share one shape
 * except that the older ones want {@code "version": "4"} in each ip entry; the result must echo the
 * config's version, because libcni reads a result without one as 0.1.0 and then finds no
 * {@code ips} ("IPAM plugin returned missing IP config").
 */
final class CniResult {
    static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    private CniResult() {}

    static void requireSupported(String cniVersion) throws CniError {
        if (!SUPPORTED.contains(cniVersion)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "cniVersion \"" + cniVersion + "\" is not supported",
                    "supported: " + String.join(", ", SUPPORTED));
        }
    }

    /** @param attachment the API's answer: {ip, prefixLength, gateway, routes:[{dst,gw}], dns:[..], domain} */
    static String of(String cniVersion, Map<String, Object> attachment) {
        Map<String, Object> ip = new LinkedHashMap<>();
        if (cniVersion.startsWith("0.")) {
            ip.put("version", "4");
        }
        ip.put("address", attachment.get("ip") + "/" + attachment.get("prefixLength"));
        if (attachment.get("gateway") != null) {
            ip.put("gateway", attachment.get("gateway"));
        }
        List<Map<String, Object>> ips = new ArrayList<>(List.of(ip));
        if (attachment.get("ipv6") != null) {
            // the pod's SLAAC address on the network's prefix: in the result so that the runtime
            // (Multus network-status) lists it; the main plugin configures it, the RA gives the route
            Map<String, Object> ip6 = new LinkedHashMap<>();
            if (cniVersion.startsWith("0.")) {
                ip6.put("version", "6");
            }
            ip6.put("address", attachment.get("ipv6") + "/" + attachment.get("ipv6PrefixLength"));
            ips.add(ip6);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cniVersion", cniVersion);
        r.put("ips", ips);
        Object routes = attachment.get("routes");
        if (routes instanceof List<?> l && !l.isEmpty()) {
            r.put("routes", new ArrayList<>(l));
        }
        Map<String, Object> dns = new LinkedHashMap<>();
        if (attachment.get("dns") instanceof List<?> servers && !servers.isEmpty()) {
            dns.put("nameservers", servers);
        }
        if (attachment.get("domain") != null) {
            dns.put("domain", attachment.get("domain"));
        }
        if (!dns.isEmpty()) {
            r.put("dns", dns);
        }
        return MiniJson.write(r);
    }

    static String version() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cniVersion", SUPPORTED.getLast());
        r.put("supportedVersions", SUPPORTED);
        return MiniJson.write(r);
    }
}
