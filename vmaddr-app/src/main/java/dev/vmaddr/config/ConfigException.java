package dev.vmaddr.config;

import java.util.List;

/** A config file (or API body) that cannot be used; carries every problem found, not just the first. */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final List<ConfigProblem> problems;

    public ConfigException(String file, List<ConfigProblem> problems) {
        super(problems.isEmpty() ? "invalid" : problems.getFirst().format(file));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    public String file() {
        return file;
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    /** One {@code file:line: field: problem} per line. */
    public List<String> lines() {
        return problems.stream().map(p -> p.format(file)).toList();
    }
}
