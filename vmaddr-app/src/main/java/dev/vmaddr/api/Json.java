package dev.vmaddr.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.vmaddr.config.Fields;
import dev.vmaddr.config.Problems;
import dev.vmaddr.config.Tree;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** JSON in and out of the API: one mapper; request bodies read through the config's {@link Fields}. */
public final class Json {
    /** The largest request body the server reads (413 beyond). */
    public static final int MAX_BODY_BYTES = 1 << 20;
    /** Our deepest request (a VM with NICs with addresses) nests 4 levels. */
    public static final int MAX_DEPTH = 32;
    public static final int MAX_LIST_ITEMS = 10_000;
    /** Names, CIDRs, MACs and descriptions are far shorter; a CNI config embedded as text fits. */
    public static final int MAX_STRING_CHARS = 16 * 1024;
    private static final int MAX_NUMBER_LENGTH = 64;

    /**
     * Thread-safe once configured; shared by server and client. Its parse and write buffers come from
     * one shared pool: Jackson's default keeps them per thread, and the server runs every request on
     * a new virtual thread, so that default allocated fresh buffers for each request.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).maxStringLength(MAX_BODY_BYTES).build())
            .build())
            .registerModule(new JavaTimeModule());

    private Json() {}

    /**
     * Parses a request body (empty: an empty object), refusing what no request of ours needs and what
     * would only cost the server: nesting deeper than {@link #MAX_DEPTH} (checked while parsing, so a
     * deep document is not built first), lists longer than {@link #MAX_LIST_ITEMS}, strings longer
     * than {@link #MAX_STRING_CHARS}. The body itself is already at most {@link #MAX_BODY_BYTES}.
     */
    public static JsonNode readRequest(String body) {
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("(body)", "not valid JSON: " + e.getOriginalMessage());
        }
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        checkSizes(node, "", errors);
        if (!errors.isEmpty()) {
            throw ApiProblem.badRequest(errors);
        }
        return node;
    }

    private static void checkSizes(JsonNode node, String path, List<ApiProblem.FieldError> errors) {
        if (errors.size() >= 10) {
            return; // enough to say what is wrong
        }
        String field = path.isEmpty() ? "(body)" : path;
        if (node.isTextual() && node.textValue().length() > MAX_STRING_CHARS) {
            errors.add(new ApiProblem.FieldError(field, "longer than " + MAX_STRING_CHARS + " characters"));
        } else if (node.isArray()) {
            if (node.size() > MAX_LIST_ITEMS) {
                errors.add(new ApiProblem.FieldError(field, "more than " + MAX_LIST_ITEMS + " items"));
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                checkSizes(node.get(i), path + "[" + i + "]", errors);
            }
        } else if (node.isObject()) {
            for (var it = node.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().length() > MAX_STRING_CHARS) {
                    errors.add(new ApiProblem.FieldError(field, "has a key longer than " + MAX_STRING_CHARS + " characters"));
                    continue;
                }
                checkSizes(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), errors);
            }
        }
    }

    /** Parses a request body as a JSON object and reads it with {@code reader}; every field problem becomes a 400. */
    public static <T> T readBody(String body, Function<Fields, T> reader) {
        JsonNode node = readRequest(body);
        Problems problems = new Problems();
        Fields f = Fields.of(Tree.fromJson(node), "", problems);
        T value = f == null ? null : reader.apply(f);
        if (!problems.isEmpty()) {
            List<ApiProblem.FieldError> errors = problems.list().stream()
                    .map(p -> new ApiProblem.FieldError(p.field(), p.problem())).toList();
            throw ApiProblem.badRequest(errors);
        }
        return value;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
