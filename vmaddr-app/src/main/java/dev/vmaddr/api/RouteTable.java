package dev.vmaddr.api;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;

/**
 * The list of routes the server answers. Each feature adds its own ({@link RouteGroup}); the
 * server registers them with Javalin and {@link OpenApi} describes the same list.
 */
public final class RouteTable {
    private final List<ApiRoute> routes = new ArrayList<>();

    public Builder get(String path, String summary) {
        return new Builder(HandlerType.GET, path, summary, 200);
    }

    public Builder post(String path, String summary) {
        return new Builder(HandlerType.POST, path, summary, 201);
    }

    public Builder put(String path, String summary) {
        return new Builder(HandlerType.PUT, path, summary, 200);
    }

    public Builder delete(String path, String summary) {
        return new Builder(HandlerType.DELETE, path, summary, 204);
    }

    public List<ApiRoute> routes() {
        return List.copyOf(routes);
    }

    public final class Builder {
        private final HandlerType method;
        private final String path;
        private final String summary;
        private int success;
        private final List<Integer> errors = new ArrayList<>();
        private final List<String> query = new ArrayList<>();
        private String body;
        private boolean authenticated = true;

        private Builder(HandlerType method, String path, String summary, int success) {
            this.method = method;
            this.path = path;
            this.summary = summary;
            this.success = success;
        }

        public Builder success(int status) {
            this.success = status;
            return this;
        }

        public Builder errors(Integer... statuses) {
            errors.addAll(List.of(statuses));
            return this;
        }

        public Builder query(String... names) {
            query.addAll(List.of(names));
            return this;
        }

        public Builder body(String description) {
            this.body = description;
            return this;
        }

        public Builder publicRoute() {
            this.authenticated = false;
            return this;
        }

        public void handle(Handler handler) {
            routes.add(new ApiRoute(method, path, summary, success, errors, query, body, authenticated, handler));
        }
    }
}
