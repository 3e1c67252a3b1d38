package dev.vmaddr.ipam;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@link NetworkCatalog} refused an edit. The {@link Kind} says whose fault it is, so callers map
 * it (the API to 400 / 409 / 404) without reading the message.
 */
public final class NetworkEditException extends RuntimeException {
    public enum Kind {
        /** The submitted network or item breaks a rule of its own (a pool outside the CIDR ...). */
        INVALID,
        /** It is fine on its own but clashes with what exists (another network's CIDR, a reservation, a live lease). */
        CONFLICT,
        /** The network, pool or reservation named does not exist. */
        NOT_FOUND
    }

    private final Kind kind;
    private final transient List<FieldProblem> problems;

    private NetworkEditException(Kind kind, String message, List<FieldProblem> problems) {
        super(message);
        this.kind = kind;
        this.problems = List.copyOf(problems);
    }

    public static NetworkEditException invalid(String network, List<FieldProblem> problems) {
        return new NetworkEditException(Kind.INVALID, "network " + network + " is invalid: " + joined(problems), problems);
    }

    public static NetworkEditException conflict(FieldProblem problem) {
        return new NetworkEditException(Kind.CONFLICT, problem.problem(), List.of(problem));
    }

    public static NetworkEditException notFound(String message) {
        return new NetworkEditException(Kind.NOT_FOUND, message, List.of());
    }

    public Kind kind() {
        return kind;
    }

    /** Each problem with its field; one for a conflict, none for not-found. */
    public List<FieldProblem> problems() {
        return problems;
    }

    private static String joined(List<FieldProblem> problems) {
        return problems.stream().map(FieldProblem::toString).collect(Collectors.joining("; "));
    }
}
