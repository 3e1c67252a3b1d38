package dev.vmaddr.vm;

import java.time.Instant;
import java.util.List;

/**
 * What the latest guest report said beyond the per-NIC observations: the NICs it did not show and
 * the interfaces that belong to no NIC. Drift reads it; the next report replaces it.
 */
public record ReportSummary(String source, Instant at, List<String> missingNics, List<GuestInterface> unknown) {
    public ReportSummary {
        missingNics = List.copyOf(missingNics);
        unknown = List.copyOf(unknown);
    }
}
