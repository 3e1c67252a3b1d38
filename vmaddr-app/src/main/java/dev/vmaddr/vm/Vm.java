package dev.vmaddr.vm;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual machine as vmaddr keeps it. The host is where it runs now; nothing addressing-related
 * depends on it, so a host change or live migration keeps every MAC and address.
 *
 * @param report the summary of the latest guest report; null before the first
 */
public record Vm(String name, String host, VmState state, List<Nic> nics, ReportSummary report,
                 Instant createdAt, Instant updatedAt) {
    public Vm {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        nics = List.copyOf(nics);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public Optional<Nic> nic(String nicName) {
        return nics.stream().filter(n -> n.name().equals(nicName)).findFirst();
    }

    public static String owner(String vm, String nic) {
        return "vm/" + vm + "/" + nic;
    }

    Vm with(VmState newState, List<Nic> newNics, Instant now) {
        return new Vm(name, host, newState, newNics, report, createdAt, now);
    }

    Vm withReport(List<Nic> newNics, ReportSummary newReport, Instant now) {
        return new Vm(name, host, state, newNics, newReport, createdAt, now);
    }

    Vm withHost(String newHost, Instant now) {
        return new Vm(name, newHost, state, nics, report, createdAt, now);
    }
}
