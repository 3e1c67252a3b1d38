package dev.vmaddr.vm;

import java.util.List;

/** A VM as the API and CLI show it. */
public record VmView(String name, String host, VmState state, List<NicView> nics) {
    public VmView {
        nics = List.copyOf(nics);
    }
}
