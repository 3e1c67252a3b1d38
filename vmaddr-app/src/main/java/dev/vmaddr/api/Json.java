package dev.vmaddr.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.vmaddr.config.Fields;
import dev.vmaddr.config.Problems;
import dev.vmaddr.config.Tree;
import java.util.List;
import java.util.function.Function;

/** JSON in and out of the API: one mapper; request bodies read through the config's {@link Fields}. */
public final class Json {
    /**
     * Thread-safe once configured; shared by server and client. Its parse and write buffers come from
     * one shared pool: Jackson's default keeps them per thread, and the server runs every request on
     * a new virtual thread, so that default allocated fresh buffers for each request.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build())
            .registerModule(new JavaTimeModule());

    private Json() {}

    /** Parses a request body as a JSON object and reads it with {@code reader}; every field problem becomes a 400. */
    public static <T> T readBody(String body, Function<Fields, T> reader) {
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("(body)", "not valid JSON: " + e.getOriginalMessage());
        }
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
