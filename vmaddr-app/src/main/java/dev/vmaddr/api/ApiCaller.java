package dev.vmaddr.api;

import dev.vmaddr.config.VmaddrConfig.TokenScope;
import io.javalin.http.Context;
import java.util.Objects;

/**
 * Who sent a request: the name and scope of the token it carried. The server sets it on every
 * authenticated request before the route runs; a handler that records a change (history, logs) takes
 * its actor from {@link #of(Context)}.
 */
public record ApiCaller(String name, TokenScope scope) {
    static final String ATTRIBUTE = "vmaddr.caller";

    public ApiCaller {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
    }

    /** {@code api:<name>}, the actor written in logs and history. */
    public String actor() {
        return "api:" + name;
    }

    /** The caller of an authenticated request; null on the public routes (health, metrics, the document). */
    public static ApiCaller of(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }
}
