package dev.vmaddr.connectivity;

/** The probe could not be set up or run (a command failed); the message says which. */
public final class ProbeException extends Exception {
    public ProbeException(String message) {
        super(message);
    }

    public ProbeException(String message, Throwable cause) {
        super(message, cause);
    }
}
