package dev.vmaddr.api;

import dev.vmaddr.api.ui.UiAssets;
import dev.vmaddr.config.VmaddrConfig.TokenScope;
import dev.vmaddr.log.LogEvents;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request passes before its route runs, in this order:
 * <ol>
 *   <li>the body size: over {@link Json#MAX_BODY_BYTES} by its Content-Length is 413; a body without
 *       a length (chunked) is 411, so no request makes the server buffer an unknown amount;</li>
 *   <li>on authenticated routes, the per-address failure limit (429 with Retry-After), checked before
 *       the token so a blocked address learns nothing about its guesses;</li>
 *   <li>the token: none or an unknown one is 401, the same answer for both, counted in
 *       {@code vmaddr_api_auth_failures_total};</li>
 *   <li>the scope: a read token may GET and HEAD only; anything else is 403.</li>
 * </ol>
 * The caller is then put on the request ({@link ApiCaller#of}).
 */
final class RequestGate {
    private static final Logger log = LoggerFactory.getLogger(RequestGate.class);

    private final TokenAuth tokens;
    private final AuthFailureLimiter limiter;
    private final Set<String> publicPaths;
    private final Counter missing;
    private final Counter wrong;

    RequestGate(TokenAuth tokens, AuthFailureLimiter limiter, Set<String> publicPaths, MeterRegistry registry) {
        this.tokens = tokens;
        this.limiter = limiter;
        this.publicPaths = Set.copyOf(publicPaths);
        this.missing = failures(registry, "missing");
        this.wrong = failures(registry, "wrong");
    }

    private static Counter failures(MeterRegistry registry, String reason) {
        return Counter.builder("vmaddr_api_auth_failures").description("API requests refused for a missing or unknown token")
                .tag("reason", reason).register(registry);
    }

    static boolean isRead(HandlerType method) {
        return method == HandlerType.GET || method == HandlerType.HEAD;
    }

    void check(Context ctx) {
        checkBodySize(ctx);
        if (publicPaths.contains(ctx.path()) || UiAssets.isUiPath(ctx.path())) {
            return; // the UI's files carry no data; a browser cannot send the bearer header when it navigates
        }
        String source = ctx.ip();
        Duration wait = limiter.blockedFor(source);
        if (!wait.isZero()) {
            ctx.header("Retry-After", String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000)));
            throw new ApiProblem(429, "Too many requests", "too many failed authentications from this address; retry later",
                    null, List.of());
        }
        String header = ctx.header("Authorization");
        ApiCaller caller = tokens.authenticate(header);
        if (caller == null) {
            if (header == null) {
                missing.increment();
            } else {
                wrong.increment();
                limiter.failed(source);
                log.warn(LogEvents.API_AUTH_FAILED + " source={} method={} path={}", source, ctx.method(), ctx.path());
            }
            ctx.header("WWW-Authenticate", "Bearer");
            // one answer for a missing, malformed or unknown token: no hint of what was wrong
            throw new ApiProblem(401, "Unauthorized", "a valid Authorization: Bearer <token> is required", null, List.of());
        }
        if (caller.scope() == TokenScope.READ && !isRead(ctx.method())) {
            throw new ApiProblem(403, "Forbidden", "token \"" + caller.name() + "\" is read-only: it may GET and HEAD only",
                    null, List.of());
        }
        ctx.attribute(ApiCaller.ATTRIBUTE, caller);
    }

    private static void checkBodySize(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        // an import streams its records (ImportWire) and may be far larger than a JSON body
        long max = ImportRoutes.isImportPath(ctx.path()) ? dev.vmaddr.importing.ImportWire.MAX_BODY_BYTES : Json.MAX_BODY_BYTES;
        if (length > max) {
            throw new ApiProblem(413, "Content too large", "the request body is " + length + " bytes; at most "
                    + max + " are read", null, List.of());
        }
        if (length < 0 && ctx.header("Transfer-Encoding") != null) {
            throw new ApiProblem(411, "Length required", "send the request body with a Content-Length", null, List.of());
        }
    }
}
