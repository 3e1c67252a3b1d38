package dev.vmaddr.mac;

/** The MAC pool refused; {@link #reason()} says why. */
public class MacPoolException extends RuntimeException {
    public enum Reason { EXHAUSTED, TAKEN, INVALID, STORE_UNAVAILABLE }

    private final Reason reason;

    public MacPoolException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public MacPoolException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
