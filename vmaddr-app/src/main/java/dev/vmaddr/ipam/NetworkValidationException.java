package dev.vmaddr.ipam;

import java.util.List;
import java.util.stream.Collectors;

/** A network definition broke one or more rules; each problem names its field. */
public class NetworkValidationException extends IllegalArgumentException {
    private final transient List<FieldProblem> problems;

    public NetworkValidationException(List<FieldProblem> problems) {
        super("invalid network: " + problems.stream().map(FieldProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public NetworkValidationException(String network, List<FieldProblem> problems) {
        super("network " + network + " is invalid: "
                + problems.stream().map(FieldProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<FieldProblem> problems() {
        return problems;
    }
}
