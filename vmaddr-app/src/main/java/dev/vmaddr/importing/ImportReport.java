package dev.vmaddr.importing;

import dev.vmaddr.ipam.ImportOutcome;
import java.util.List;

/** PRODUCT.md "Import": {@code {"dryRun","imported","unchanged","conflicts":[{"ip","mac","reason"}]}}. */
public record ImportReport(boolean dryRun, int imported, int unchanged, List<ImportOutcome.Conflict> conflicts) {
    public ImportReport {
        conflicts = List.copyOf(conflicts);
    }
}
