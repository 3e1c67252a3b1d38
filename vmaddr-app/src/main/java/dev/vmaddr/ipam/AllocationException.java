package dev.vmaddr.ipam;

/** The engine refused an operation; {@link #reason()} says why (DHCP answers NAK, the API 404/409/503). */
public class AllocationException extends RuntimeException {
    public enum Reason {
        UNKNOWN_NETWORK, EXHAUSTED, ADDRESS_TAKEN, NOT_IN_NETWORK, NOT_ALLOWED, RESERVED_FOR_OTHER, NO_LEASE,
        STORE_UNAVAILABLE
    }

    private final Reason reason;

    public AllocationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AllocationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
