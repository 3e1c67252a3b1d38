package dev.vmaddr.config;

import dev.vmaddr.ipam.FieldProblem;
import dev.vmaddr.ipam.NetworkValidator;
import dev.vmaddr.model.NetworkSpec;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules between fields and between networks for a whole file, by {@link NetworkValidator} (the
 * same rules the API applies). Its field paths index the list it was given; networks that failed to
 * parse are not in that list, so indices are mapped back to each network's place in the file.
 */
final class NetworkChecks {
    private static final Pattern INDEX = Pattern.compile("^networks\\[(\\d+)]");

    private NetworkChecks() {}

    /** @param paths each network's field path in the file, e.g. {@code networks[2]} */
    static void check(List<NetworkSpec> networks, List<String> paths, Problems problems) {
        for (FieldProblem p : NetworkValidator.validateAll(networks)) {
            Matcher m = INDEX.matcher(p.field());
            String field = p.field();
            if (m.find()) {
                field = paths.get(Integer.parseInt(m.group(1))) + field.substring(m.end());
            }
            problems.add(field, renumber(p.problem(), paths));
        }
    }

    /** "overlaps networks[1] ..." in the validator's numbering → the file's numbering. */
    private static String renumber(String problem, List<String> paths) {
        Matcher m = Pattern.compile("networks\\[(\\d+)]").matcher(problem);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            int i = Integer.parseInt(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(i < paths.size() ? paths.get(i) : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
