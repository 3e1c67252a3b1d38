package dev.vmaddr.api;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;

/**
 * One HTTP route: what registers the handler with Javalin and what the OpenAPI document describes
 * is this one record, so the two cannot disagree.
 *
 * @param path          Javalin/OpenAPI path with {@code {param}} segments
 * @param success       the status of a successful answer (200, 201, 204)
 * @param errors        the error statuses the route can answer besides 401 and 500
 * @param queryParams   names of optional query parameters
 * @param requestBody   a short description of the JSON body, null when there is none
 * @param authenticated false only for the few public routes (health, readiness, metrics, the document)
 */
public record ApiRoute(HandlerType method, String path, String summary, int success, List<Integer> errors,
                       List<String> queryParams, String requestBody, boolean authenticated, Handler handler) {
    public ApiRoute {
        errors = List.copyOf(errors);
        queryParams = List.copyOf(queryParams);
    }

    /** Path parameters in order of appearance. */
    public List<String> pathParams() {
        return java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path).results().map(m -> m.group(1)).toList();
    }
}
