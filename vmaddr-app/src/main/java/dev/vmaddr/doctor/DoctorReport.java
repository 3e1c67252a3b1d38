package dev.vmaddr.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** {@code {"findings":[...]}}. Exit code 1 when any finding is an error. */
public record DoctorReport(List<Finding> findings) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public DoctorReport {
        findings = List.copyOf(findings);
    }

    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
