package dev.vmaddr.libvirt;

import dev.vmaddr.libvirt.SyncPlan.Conflict;
import java.util.List;

/**
 * What a sync pass did (or, dry, would do): the plan, every conflict (the planner's and those the
 * MAC pool found while applying) and the steps that failed, each as a message.
 */
public record SyncResult(boolean dryRun, SyncPlan plan, List<Conflict> conflicts, List<String> errors) {
    public SyncResult {
        conflicts = List.copyOf(conflicts);
        errors = List.copyOf(errors);
    }

    public static SyncResult dry(SyncPlan plan) {
        return new SyncResult(true, plan, plan.conflicts(), List.of());
    }
}
