package dev.vmaddr.vm;

/**
 * A VM or NIC operation was refused. {@link Kind} tells the API which status to answer (400, 404,
 * 409) and the CLI which exit code to use (2 for bad input, 1 otherwise); the message names the
 * field or the resource.
 */
public final class VmException extends RuntimeException {
    public enum Kind { BAD_INPUT, NOT_FOUND, CONFLICT }

    private final Kind kind;
    private final String field;
    private final String problem;

    public VmException(Kind kind, String message) {
        this(kind, message, null, null, null);
    }

    public VmException(Kind kind, String message, Throwable cause) {
        this(kind, message, null, null, cause);
    }

    private VmException(Kind kind, String message, String field, String problem, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.field = field;
        this.problem = problem;
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault for BAD_INPUT ({@code nics[0].mac}); null otherwise. */
    public String field() {
        return field;
    }

    /** For BAD_INPUT, the message without the field name. */
    public String problem() {
        return problem != null ? problem : getMessage();
    }

    public static VmException badInput(String field, String problem) {
        return new VmException(Kind.BAD_INPUT, field + ": " + problem, field, problem, null);
    }

    public static VmException notFound(String what) {
        return new VmException(Kind.NOT_FOUND, what + " not found");
    }

    public static VmException conflict(String message) {
        return new VmException(Kind.CONFLICT, message);
    }
}
