package dev.vmaddr.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects problems while a document is read, and remembers the line of every field it saw so that
 * problems found later by semantic checks (which know only a field path) can still name a line.
 */
public final class Problems {
    private final List<ConfigProblem> list = new ArrayList<>();
    private final Map<String, Integer> lines = new HashMap<>();

    public void add(int line, String field, String problem) {
        list.add(new ConfigProblem(line, field, problem));
    }

    /** A problem known only by field path: the line is that of the field or its nearest parent. */
    public void add(String field, String problem) {
        add(lineOf(field), field, problem);
    }

    void seen(String field, int line) {
        lines.putIfAbsent(field, line);
    }

    public int lineOf(String field) {
        String f = field;
        while (!f.isEmpty()) {
            Integer line = lines.get(f);
            if (line != null) {
                return line;
            }
            int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
            if (cut <= 0) {
                break;
            }
            f = f.substring(0, cut);
        }
        return lines.getOrDefault(f, 0);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public int size() {
        return list.size();
    }

    public List<ConfigProblem> list() {
        return List.copyOf(list);
    }
}
