package dev.vmaddr.config;

/**
 * One thing wrong with a config file or API body.
 *
 * @param line  1-based line in the file, 0 when unknown
 * @param field dotted path of the offending field, e.g. {@code networks[1].pools[0]}
 */
public record ConfigProblem(int line, String field, String problem) {
    /** {@code file:line: field: problem}, the form {@code vmaddr config check} prints. */
    public String format(String file) {
        return file + ":" + line + ": " + field + ": " + problem;
    }
}
