package dev.vmaddr.api;

import dev.vmaddr.addr.AddressFormatException;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.FieldProblem;
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
                case STORE_UNAVAILABLE -> ApiProblem.unavailable(a.getMessage());
            };
            case MacPoolException m -> switch (m.reason()) {
                case EXHAUSTED, TAKEN -> ApiProblem.conflict(m.getMessage());
                case INVALID -> ApiProblem.badRequest("mac", m.getMessage());
                case STORE_UNAVAILABLE -> ApiProblem.unavailable(m.getMessage());
            };
            case NetworkValidationException v -> fromFieldProblems(v.problems());
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

    /**
     * Validation problems are bad input (400), except a clash with another existing network, which is
     * a conflict with the server's state (409).
     */
    public static ApiProblem fromFieldProblems(List<FieldProblem> problems) {
        List<ApiProblem.FieldError> errors = problems.stream().map(p -> new ApiProblem.FieldError(p.field(), p.problem())).toList();
        boolean clash = !problems.isEmpty() && problems.stream().allMatch(p -> p.problem().contains("overlaps network"));
        if (clash) {
            ApiProblem bad = ApiProblem.badRequest(errors);
            return new ApiProblem(409, "Conflict", bad.getMessage(), bad.field(), errors);
        }
        return ApiProblem.badRequest(errors);
    }
}
