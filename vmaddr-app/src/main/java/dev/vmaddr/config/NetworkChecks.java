package dev.vmaddr.config;

import dev.vmaddr.ipam.FieldProblem;
import dev.vmaddr.ipam.NetworkSpec;
import dev.vmaddr.ipam.NetworkValidator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules between fields and between networks, for a whole file: each network through
 * {@link NetworkValidator} (the same rules the API applies), then names and CIDRs across networks.
 */
final class NetworkChecks {
    private NetworkChecks() {}

    /** @param paths each network's field path in the file, e.g. {@code networks[2]} */
    static void check(List<NetworkSpec> networks, List<String> paths, Problems problems) {
        NetworkValidator validator = new NetworkValidator();
        for (int i = 0; i < networks.size(); i++) {
            for (FieldProblem p : validator.validate(networks.get(i))) {
                problems.add(paths.get(i) + "." + p.field(), p.problem());
            }
        }
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < networks.size(); i++) {
            NetworkSpec n = networks.get(i);
            Integer first = byName.putIfAbsent(n.name(), i);
            if (first != null) {
                problems.add(paths.get(i) + ".name", "network \"" + n.name() + "\" is already defined at " + paths.get(first));
            }
            for (int j = 0; j < i; j++) {
                NetworkSpec m = networks.get(j);
                if (n.cidr().overlaps(m.cidr())) {
                    problems.add(paths.get(i) + ".cidr", "cidr " + n.cidr() + " overlaps network \"" + m.name() + "\" (" + m.cidr() + ")");
                }
            }
        }
    }
}
