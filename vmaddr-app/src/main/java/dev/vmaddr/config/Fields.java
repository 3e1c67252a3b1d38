package dev.vmaddr.config;

import dev.vmaddr.config.Tree.Entry;
import dev.vmaddr.config.Tree.ListTree;
import dev.vmaddr.config.Tree.MapTree;
import dev.vmaddr.config.Tree.Scalar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the fields of one map of a {@link Tree}, turning every parse failure into a problem that
 * names the field (and line) instead of stopping at the first one. Call {@link #rejectUnknown()}
 * after reading to report keys nobody asked for ("unknown keys are errors").
 */
public final class Fields {
    private final Map<String, Entry> entries;
    private final String path;
    private final Problems problems;
    private final Set<String> read = new HashSet<>();

    private Fields(Map<String, Entry> entries, String path, Problems problems) {
        this.entries = entries;
        this.path = path;
        this.problems = problems;
        entries.forEach((k, e) -> problems.seen(field(k), e.keyLine()));
    }

    /** The fields of {@code tree}, or null (with a problem) when it is not a map. */
    public static Fields of(Tree tree, String path, Problems problems) {
        if (tree instanceof MapTree m) {
            problems.seen(path, m.line());
            return new Fields(m.entries(), path, problems);
        }
        if (tree instanceof Scalar s && s.text() == null) {
            return new Fields(Map.of(), path, problems);
        }
        problems.add(tree.line(), path.isEmpty() ? "(document)" : path, "expected a map of fields");
        return null;
    }

    public String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public String path() {
        return path;
    }

    public Problems problems() {
        return problems;
    }

    public boolean has(String key) {
        Entry e = entries.get(key);
        return e != null && !(e.value() instanceof Scalar s && s.text() == null);
    }

    public Tree tree(String key) {
        read.add(key);
        Entry e = entries.get(key);
        return e == null ? null : e.value();
    }

    public int line(String key) {
        Entry e = entries.get(key);
        return e == null ? 0 : e.value().line() != 0 ? e.value().line() : e.keyLine();
    }

    /** The scalar at {@code key} parsed by {@code parser}; null when absent or unparsable (then a problem is recorded). */
    public <T> T value(String key, Function<String, T> parser) {
        Tree t = tree(key);
        if (t == null) {
            return null;
        }
        return parse(t, field(key), parser);
    }

    public <T> T required(String key, Function<String, T> parser) {
        if (!has(key)) {
            tree(key);
            problems.add(entries.containsKey(key) ? line(key) : problems.lineOf(path), field(key), "is required");
            return null;
        }
        return value(key, parser);
    }

    public String string(String key) {
        return value(key, s -> s);
    }

    public Integer integer(String key, int min, int max) {
        return value(key, s -> {
            int v;
            try {
                v = Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + s + "\" is not a whole number");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(v + " is outside " + min + ".." + max);
            }
            return v;
        });
    }

    public Boolean bool(String key) {
        return value(key, s -> switch (s.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("\"" + s + "\" is not true or false");
        });
    }

    /** A list of scalars; unparsable items are recorded as problems and skipped. Absent → empty list. */
    public <T> List<T> list(String key, Function<String, T> parser) {
        return items(key, (item, f) -> {
            problems.seen(f, item.line());
            return parse(item, f, parser);
        });
    }

    /**
     * Each item of the list at {@code key} through {@code each} (item, its field name {@code key[i]});
     * null results are skipped. Absent or null → empty list; not a list → a problem and an empty list.
     */
    private <T> List<T> items(String key, java.util.function.BiFunction<Tree, String, T> each) {
        Tree t = tree(key);
        List<T> out = new ArrayList<>();
        if (t == null || t instanceof Scalar s && s.text() == null) {
            return out;
        }
        if (!(t instanceof ListTree l)) {
            problems.add(t.line(), field(key), "expected a list");
            return out;
        }
        for (int i = 0; i < l.items().size(); i++) {
            T v = each.apply(l.items().get(i), field(key) + "[" + i + "]");
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    /** A nested map; null when absent or not a map (then a problem is recorded). */
    public Fields child(String key) {
        Tree t = tree(key);
        if (t == null) {
            return null;
        }
        return of(t, field(key), problems);
    }

    /** A list of maps. */
    public List<Fields> children(String key) {
        return items(key, (item, f) -> of(item, f, problems));
    }

    public void rejectUnknown() {
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (!read.contains(e.getKey())) {
                problems.add(e.getValue().keyLine(), field(e.getKey()), "unknown key");
            }
        }
    }

    private <T> T parse(Tree t, String field, Function<String, T> parser) {
        if (!(t instanceof Scalar s)) {
            problems.add(t.line(), field, "expected a single value");
            return null;
        }
        if (s.text() == null) {
            return null;
        }
        try {
            return parser.apply(s.text());
        } catch (IllegalArgumentException e) {
            problems.add(t.line(), field, e.getMessage());
            return null;
        }
    }
}
