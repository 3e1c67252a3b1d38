package dev.vmaddr.testing.netns;

/** The harness could not build, run or tear down something; the message says what and why. */
public final class NetnsException extends RuntimeException {
    public NetnsException(String message) {
        super(message);
    }

    public NetnsException(String message, Throwable cause) {
        super(message, cause);
    }
}
