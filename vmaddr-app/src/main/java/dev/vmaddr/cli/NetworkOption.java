package dev.vmaddr.cli;

import picocli.CommandLine.Option;

/** {@code --network} (required) for the commands on one network's pools, reservations, allocations and leases, and a NIC's network. */
final class NetworkOption {
    @Option(names = "--network", required = true)
    String name;

    /** The network's API path. */
    String path() {
        return ClientCommand.networkPath(name);
    }
}
