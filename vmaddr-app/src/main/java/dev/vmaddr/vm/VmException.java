package dev.vmaddr.vm;

/**
 * A VM or NIC operation was refused. {@link Kind} tells the API which status to answer (400, 404,
 * 409) and the CLI which exit code to use (2 for bad input, 1 otherwise); the message names the
 * field or the resource.
 */
public final class VmException extends RuntimeException {
    public enum Kind { BAD_INPUT, NOT_FOUND, CONFLICT }

    private final Kind kind;

    public VmException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public VmException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static VmException badInput(String field, String problem) {
        return new VmException(Kind.BAD_INPUT, field + ": " + problem);
    }

    static VmException notFound(String what) {
        return new VmException(Kind.NOT_FOUND, what + " not found");
    }

    static VmException conflict(String message) {
        return new VmException(Kind.CONFLICT, message);
    }
}
