package dev.vmaddr.hostnet;

import java.util.List;

/** How a command ended. Exit code 127 means it could not be started (not installed); -1 a timeout. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {
    public static final int NOT_FOUND = 127;
    public static final int TIMED_OUT = -1;

    public CommandResult {
        command = List.copyOf(command);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** The command line, for evidence in findings. */
    public String commandLine() {
        return String.join(" ", command);
    }
}
