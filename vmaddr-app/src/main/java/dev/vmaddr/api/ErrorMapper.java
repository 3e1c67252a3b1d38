package dev.vmaddr.api;

import dev.vmaddr.addr.AddressFormatException;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.FieldProblem;
import dev.vmaddr.ipam.NetworkEditException;
import dev.vmaddr.ipam.NetworkValidationException;
import dev.vmaddr.mac.MacPoolException;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.vm.VmException;
import dev.vmaddr.vm.export.ExportException;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.List;

/** Domain exceptions → HTTP problems, in one place so every route answers alike. */
public final class ErrorMapper {
    private ErrorMapper() {}

    public static ApiProblem toProblem(Exception e) {
        return switch (e) {
            case ApiProblem p -> p;
            case AllocationException a -> switch (a.reason()) {
                case UNKNOWN_NETWORK, NO_LEASE -> ApiProblem.notFound(a.getMessage());
                case EXHAUSTED, ADDRESS_TAKEN, RESERVED_FOR_OTHER -> ApiProblem.conflict(a.getMessage());
                case NOT_IN_NETWORK, NOT_ALLOWED -> ApiProblem.badRequest("ip", a.getMessage());
                case STORE_UNAVAILABLE -> ApiProblem.unavailable(withCause(a));
            };
            case MacPoolException m -> switch (m.reason()) {
                case EXHAUSTED, TAKEN -> ApiProblem.conflict(m.getMessage());
                case INVALID -> ApiProblem.badRequest("mac", m.getMessage());
                case STORE_UNAVAILABLE -> ApiProblem.unavailable(withCause(m));
            };
            case NetworkEditException n -> switch (n.kind()) {
                case INVALID -> ApiProblem.badRequest(fieldErrors(n.problems()));
                case CONFLICT -> new ApiProblem(409, "Conflict", n.getMessage(),
                        n.problems().isEmpty() ? null : n.problems().getFirst().field(), fieldErrors(n.problems()));
                case NOT_FOUND -> ApiProblem.notFound(n.getMessage());
            };
            case NetworkValidationException v -> ApiProblem.badRequest(fieldErrors(v.problems()));
            case VmException v -> switch (v.kind()) {
                case BAD_INPUT -> v.field() != null ? ApiProblem.badRequest(v.field(), v.problem())
                        : ApiProblem.badRequest("(body)", v.getMessage());
                case NOT_FOUND -> ApiProblem.notFound(v.getMessage());
                case CONFLICT -> ApiProblem.conflict(v.getMessage());
            };
            case ExportException x -> ApiProblem.conflict(x.getMessage());
            case StoreException s -> ApiProblem.unavailable("store unavailable: " + s.getMessage());
            case AddressFormatException f -> ApiProblem.badRequest("(path)", f.getMessage());
            // Javalin's own refusals (a body over its size limit, ...) keep their 4xx status
            case HttpResponseException h -> new ApiProblem(h.getStatus(), HttpStatus.forStatus(h.getStatus()).getMessage(),
                    h.getMessage(), null, List.of());
            default -> new ApiProblem(500, "Internal error", e.getClass().getSimpleName() + ": " + e.getMessage(), null, List.of());
        };
    }

    /** "cannot store MAC x: PostgreSQL unreachable (since ...)": the client learns why, not only what. */
    private static String withCause(Exception e) {
        return e.getCause() == null || e.getCause().getMessage() == null ? e.getMessage()
                : e.getMessage() + ": " + e.getCause().getMessage();
    }

    private static List<ApiProblem.FieldError> fieldErrors(List<FieldProblem> problems) {
        return problems.stream().map(p -> new ApiProblem.FieldError(p.field(), p.problem())).toList();
    }
}
