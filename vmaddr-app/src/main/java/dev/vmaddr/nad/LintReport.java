package dev.vmaddr.nad;

import java.util.List;

/** The findings for one file; exit code 1 when any is an error. */
public record LintReport(List<LintFinding> findings) {
    public LintReport {
        findings = List.copyOf(findings);
    }

    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == LintFinding.Severity.ERROR);
    }

    public List<String> rules() {
        return findings.stream().map(LintFinding::rule).toList();
    }
}
