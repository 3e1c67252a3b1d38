package dev.vmaddr.vm;

import java.util.Objects;

/**
 * One disagreement and what to do about it.
 *
 * @param nic      the NIC concerned; null for a MAC that belongs to no NIC
 * @param expected what vmaddr holds (spec MAC, reserved address); null when nothing is expected
 * @param observed what was seen
 * @param fix      the operator's next step, with the API call or command
 */
public record DriftFinding(String nic, DriftKind kind, String expected, String observed, String fix) {
    public DriftFinding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(fix, "fix");
    }
}
