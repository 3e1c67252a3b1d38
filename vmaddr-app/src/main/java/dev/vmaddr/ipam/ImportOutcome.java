package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What an import did (or, in a dry run, would do): how many records it wrote, how many were there
 * already, and the ones it left alone, each with the reason.
 */
public record ImportOutcome(int imported, int unchanged, List<Conflict> conflicts) {
    /** A record not imported: its address (null when it had none), its MAC (null for a client-id only) and why. */
    public record Conflict(Ipv4Address ip, MacAddress mac, String reason) {}

    public ImportOutcome {
        conflicts = List.copyOf(conflicts);
    }

    public static final ImportOutcome NOTHING = new ImportOutcome(0, 0, List.of());

    public ImportOutcome plus(ImportOutcome other) {
        List<Conflict> all = new ArrayList<>(conflicts);
        all.addAll(other.conflicts);
        return new ImportOutcome(imported + other.imported, unchanged + other.unchanged, all);
    }
}
