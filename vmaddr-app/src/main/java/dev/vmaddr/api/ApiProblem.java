package dev.vmaddr.api;

import java.util.List;

/**
 * An error answer as RFC 9457 problem+json. Handlers throw it; the server's exception handler writes
 * it.
 *
 * @param field  the request field at fault (400), null otherwise
 * @param errors every field problem when there are several, else empty
 */
public final class ApiProblem extends RuntimeException {
    private final int status;
    private final String title;
    private final String field;
    private final List<FieldError> errors;

    public record FieldError(String field, String problem) {}

    public ApiProblem(int status, String title, String detail, String field, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.field = field;
        this.errors = List.copyOf(errors);
    }

    public static ApiProblem badRequest(String field, String detail) {
        return new ApiProblem(400, "Bad request", field + ": " + detail, field, List.of(new FieldError(field, detail)));
    }

    public static ApiProblem badRequest(List<FieldError> errors) {
        String detail = String.join("; ", errors.stream().map(e -> e.field() + ": " + e.problem()).toList());
        return new ApiProblem(400, "Bad request", detail, errors.isEmpty() ? null : errors.getFirst().field(), errors);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "Not found", detail, null, List.of());
    }

    public static ApiProblem conflict(String detail) {
        return new ApiProblem(409, "Conflict", detail, null, List.of());
    }

    public static ApiProblem unavailable(String detail) {
        return new ApiProblem(503, "Service unavailable", detail, null, List.of());
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
