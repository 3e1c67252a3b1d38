package dev.vmaddr.vm;

/**
 * Told when a drift finding appears that the previous evaluation of the same VM (or network) did
 * not have, so a metric can count drift by kind without counting every read of the drift list.
 * The surface wires a Micrometer counter ({@code vmaddr_vm_drift_total{kind=...}}) to it.
 */
@FunctionalInterface
public interface DriftListener {
    DriftListener NONE = (subject, finding) -> { };

    /** @param subject the VM name, or {@code network/<name>} for network-wide findings */
    void detected(String subject, DriftFinding finding);
}
