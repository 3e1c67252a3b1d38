package dev.vmaddr.cli;

import picocli.CommandLine.Parameters;

/** {@code VM NIC}, the first two positionals of every {@code nic} command, and the NIC's API path. */
final class NicParameters {
    @Parameters(index = "0", paramLabel = "VM")
    String vm;
    @Parameters(index = "1", paramLabel = "NIC")
    String nic;

    /** {@code /api/v1/vms/VM/nics}: where a NIC is added. */
    String nicsPath() {
        return VmCommand.vmPath(vm) + "/nics";
    }

    /** {@code /api/v1/vms/VM/nics/NIC}. */
    String path() {
        return nicsPath() + "/" + ApiClient.seg(nic);
    }
}
