package dev.vmaddr.vm;

import java.util.Locale;

/** Whether the VM runs. Printed lower-case in JSON and the CLI. */
public enum VmState {
    RUNNING, STOPPED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static VmState fromWireName(String s) {
        for (VmState v : values()) {
            if (v.wireName().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("state must be running or stopped, not \"" + s + "\"");
    }
}
