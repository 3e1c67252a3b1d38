package dev.vmaddr.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The OpenAPI 3.0 document, generated from the same {@link ApiRoute} list the server registers. */
public final class OpenApi {
    private OpenApi() {}

    public static Map<String, Object> document(List<ApiRoute> routes, String version) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "vmaddr API", "version", version,
                "description", "Addresses and MACs for VM networks. Errors are application/problem+json (RFC 9457)."));
        Map<String, Object> paths = new LinkedHashMap<>();
        for (ApiRoute r : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
            item.put(r.method().name().toLowerCase(Locale.ROOT), operation(r));
        }
        doc.put("paths", paths);
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "object");
        problem.put("properties", Map.of(
                "type", Map.of("type", "string"), "title", Map.of("type", "string"),
                "status", Map.of("type", "integer"), "detail", Map.of("type", "string"),
                "instance", Map.of("type", "string"), "field", Map.of("type", "string", "nullable", true),
                "errors", Map.of("type", "array", "items", Map.of("type", "object"))));
        doc.put("components", Map.of(
                "securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer")),
                "schemas", Map.of("Problem", problem)));
        return doc;
    }

    private static Map<String, Object> operation(ApiRoute r) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("summary", r.summary());
        op.put("operationId", operationId(r));
        List<Object> params = new ArrayList<>();
        for (String p : r.pathParams()) {
            params.add(Map.of("name", p, "in", "path", "required", true, "schema", Map.of("type", "string")));
        }
        for (String q : r.queryParams()) {
            params.add(Map.of("name", q, "in", "query", "required", false, "schema", Map.of("type", "string")));
        }
        if (!params.isEmpty()) {
            op.put("parameters", params);
        }
        if (r.requestBody() != null) {
            op.put("requestBody", Map.of("description", r.requestBody(), "required", true,
                    "content", Map.of("application/json", Map.of("schema", Map.of("type", "object")))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put(String.valueOf(r.success()), r.success() == 204 ? Map.of("description", "done")
                : Map.of("description", "ok", "content", Map.of("application/json", Map.of("schema", Map.of()))));
        List<Integer> errors = new ArrayList<>(r.errors());
        if (r.authenticated()) {
            errors.addFirst(401);
        }
        for (int status : errors) {
            responses.put(String.valueOf(status), Map.of("description", "error",
                    "content", Map.of("application/problem+json", Map.of("schema", Map.of("$ref", "#/components/schemas/Problem")))));
        }
        op.put("responses", responses);
        op.put("security", r.authenticated() ? List.of(Map.of("bearer", List.of())) : List.of());
        return op;
    }

    private static String operationId(ApiRoute r) {
        StringBuilder sb = new StringBuilder(r.method().name().toLowerCase(Locale.ROOT));
        for (String part : r.path().split("/")) {
            if (part.isEmpty() || part.equals("api") || part.equals("v1")) {
                continue;
            }
            String word = part.startsWith("{") ? "By" + cap(part.substring(1, part.length() - 1)) : cap(part);
            sb.append(word.replaceAll("[^A-Za-z0-9]", ""));
        }
        return sb.toString();
    }

    private static String cap(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
