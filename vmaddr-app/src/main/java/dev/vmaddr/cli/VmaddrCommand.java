package dev.vmaddr.cli;

import picocli.CommandLine.Command;

/** {@code vmaddr <noun> <verb>}. */
@Command(name = "vmaddr", mixinStandardHelpOptions = true, version = "vmaddr 0.1.0",
        description = "Addresses, MACs and DHCP for VM networks.",
        subcommands = {
                ServeCommand.class, ConfigCommand.class, NetworkCommand.class, PoolCommand.class,
                ReservationCommand.class, LeaseCommand.class, AllocationCommand.class, MacCommand.class,
                NadCommand.class, ImportCommand.class, DoctorCommand.class, VmCommand.class, NicCommand.class, CniCommand.class,
                HistoryCommand.class, LibvirtCommand.class, ReconcileCommand.class, CompletionCommand.class
        },
        footerHeading = "%nExamples:%n",
        footer = {"  vmaddr serve --config vmaddr.yaml", "  vmaddr lease list --network lan0 --output json",
                "  vmaddr network status", "  vmaddr doctor --config vmaddr.yaml",
                "  source <(vmaddr completion)"})
public final class VmaddrCommand {}
