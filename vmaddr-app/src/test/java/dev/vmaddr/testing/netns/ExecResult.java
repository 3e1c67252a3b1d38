package dev.vmaddr.testing.netns;

import java.util.List;

/** Outcome of a command that ran to its end. */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {

    public ExecResult {
        command = List.copyOf(command);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result if the command succeeded, else fails with everything needed to see why. */
    public ExecResult orThrow() {
        if (!ok()) {
            throw new NetnsException(this + "");
        }
        return this;
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " -> exit " + exitCode
                + (stdout.isBlank() ? "" : "\n  stdout: " + stdout.strip())
                + (stderr.isBlank() ? "" : "\n  stderr: " + stderr.strip());
    }
}
