package dev.vmaddr.cli;

/** A command failed; carries the exit code (1 operation failed, 2 bad usage or input) and one clear message. */
public final class CliException extends RuntimeException {
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
