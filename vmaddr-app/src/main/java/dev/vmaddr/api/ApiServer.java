package dev.vmaddr.api;

import dev.vmaddr.api.ui.UiAssets;
import dev.vmaddr.config.VmaddrConfig.Listen;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.metrics.Metrics;
import dev.vmaddr.store.HistoryActor;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: registers every {@link RouteGroup}'s routes plus the public ones (health,
 * readiness, metrics, the OpenAPI document) on one {@link ApiListener} (HTTP, HTTPS or a unix
 * socket), lets every request through its {@link RequestGate} (body size, token, scope, failure
 * limit), maps errors to problem+json, logs every write with its actor, and times every request.
 * Every response carries the {@link SecurityHeaders}.
 *
 * <p>Concurrency: Jetty runs each request on a virtual thread; handlers must be thread-safe (the
 * engine and store are). {@link #drain} stops taking new requests (503) and waits for those in
 * flight, so a shutdown never cuts a write in half.
 */
public final class ApiServer {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    public static final String VERSION = "0.1.0";

    private final Javalin app;
    private final List<ApiRoute> routes;
    private final RequestGate gate;
    private final ApiListener listener;
    /** Null without TLS. */
    private final TlsReloader tlsReloader;
    private final Metrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    /** Plain HTTP on {@code listen}, failures limited by the default limits (the constructor before listeners and limits). */
    public ApiServer(Listen listen, TokenAuth auth, Metrics metrics, BooleanSupplier ready, List<RouteGroup> groups) throws IOException {
        this(ApiListener.plain(listen), auth, new AuthFailureLimiter(AuthFailureLimiter.Limits.DEFAULT, Clock.systemUTC()),
                metrics, ready, groups);
    }

    public ApiServer(ApiListener listener, TokenAuth auth, AuthFailureLimiter limiter, Metrics metrics, BooleanSupplier ready,
                     List<RouteGroup> groups) throws IOException {
        this.listener = listener;
        this.metrics = metrics;
        SslContextFactory.Server ssl = listener.sslContextFactory();
        this.tlsReloader = ssl == null ? null : new TlsReloader(listener.tls(), ssl);
        RouteTable table = new RouteTable();
        table.get("/healthz", "Liveness: answers once the process is up").publicRoute()
                .handle(ctx -> ctx.json(Map.of("status", "ok")));
        table.get("/readyz", "Readiness: 200 once the store is open and DHCP interfaces are bound; 503 before and while shutting down")
                .publicRoute().errors(503)
                .handle(ctx -> {
                    if (draining || !ready.getAsBoolean()) {
                        throw ApiProblem.unavailable(draining ? "shutting down" : "not ready");
                    }
                    ctx.json(Map.of("status", "ready"));
                });
        table.get("/metrics", "Prometheus metrics").publicRoute()
                .handle(ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        table.get("/api/openapi.json", "This OpenAPI document").publicRoute()
                .handle(ctx -> ctx.json(openApi()));
        for (RouteGroup g : groups) {
            g.register(table);
        }
        this.routes = table.routes();
        // the routes declared publicRoute(): all literal paths (no {param}), so the gate looks them up in a set
        Set<String> publicPaths = routes.stream().filter(r -> !r.authenticated()).map(ApiRoute::path).collect(Collectors.toUnmodifiableSet());
        this.gate = new RequestGate(auth, limiter, publicPaths, metrics.registry());
        this.app = Javalin.create(config -> {
            config.jetty.modifyHttpConfiguration(http -> http.addCustomizer(new SecurityHeaders()));
            config.jetty.addConnector((server, http) -> {
                try {
                    return listener.connector(server, http, ssl);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            config.http.maxRequestSize = Json.MAX_BODY_BYTES;
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            // Javalin copies each response body into Jetty's output with a buffer of this size,
            // allocated per request; its default (Jetty's 32 KB output buffer) was half of all the
            // bytes a request allocated. Jetty still aggregates the chunks in its own buffer.
            config.http.responseBufferSize = 4096;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, true));
            config.routes.before(gate::check);
            config.routes.after(UnreadBodyDrain::drain);
            for (ApiRoute r : routes) {
                config.routes.addHttpHandler(r.method(), r.path(), wrap(r));
            }
            // The web UI: files, not API routes (so not in the OpenAPI document); no token, see UiAssets.
            UiAssets ui = new UiAssets();
            config.routes.addHttpHandler(HandlerType.GET, "/", ui::redirect);
            config.routes.addHttpHandler(HandlerType.GET, UiAssets.BASE, ui::index);
            config.routes.addHttpHandler(HandlerType.GET, UiAssets.BASE + "{asset}", ui::asset);
            config.routes.exception(Exception.class, (e, ctx) -> writeProblem(ctx, ErrorMapper.toProblem(e)));
            config.routes.error(404, ctx -> {
                // our handlers' own 404s are already problem+json; Javalin's "no such endpoint" is not
                if (!"application/problem+json".equals(ctx.res().getContentType())) {
                    writeProblem(ctx, ApiProblem.notFound("no route " + ctx.method() + " " + ctx.path()));
                }
            });
            config.routes.error(405, ctx -> writeProblem(ctx, new ApiProblem(405, "Method not allowed", ctx.method() + " " + ctx.path(), null, List.of())));
        });
    }

    public List<ApiRoute> routes() {
        return routes;
    }

    public Map<String, Object> openApi() {
        return OpenApi.document(routes, VERSION);
    }

    public ApiServer start() throws IOException {
        app.start();
        listener.restrictSocket();
        return this;
    }

    /** The TCP port bound; -1 on a unix socket. */
    public int port() {
        return ApiListener.localPort(app.jettyServer().server());
    }

    /** Renews the TLS certificate from its files; null without TLS. */
    public TlsReloader tlsReloader() {
        return tlsReloader;
    }

    /** Answers 503 to new requests from now on and waits up to {@code timeout} for those in flight. */
    public void drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (inFlight.get() > 0) {
            log.warn(LogEvents.API_DRAIN_TIMEOUT + " inFlight={}", inFlight.get());
        }
    }

    public void stop() {
        draining = true;
        app.stop();
    }

    private Handler wrap(ApiRoute r) {
        String method = r.method().name();
        boolean isProbe = !r.authenticated();
        boolean isWrite = !RequestGate.isRead(r.method());
        return ctx -> {
            long t0 = System.nanoTime();
            inFlight.incrementAndGet();
            try {
                if (draining && !isProbe) {
                    throw ApiProblem.unavailable("shutting down");
                }
                ApiCaller caller = ApiCaller.of(ctx);
                if (caller == null) {
                    r.handler().handle(ctx);
                } else {
                    HistoryActor.as(caller.actor(), () -> {
                        r.handler().handle(ctx);
                        return null;
                    });
                }
            } catch (Exception e) {
                ApiProblem p = ErrorMapper.toProblem(e);
                if (p.status() >= 500) {
                    log.error(LogEvents.API_ERROR + " method={} route={} status={}", method, r.path(), p.status(), e);
                }
                writeProblem(ctx, p);
            } finally {
                inFlight.decrementAndGet();
                if (isWrite) {
                    ApiCaller caller = ApiCaller.of(ctx);
                    log.info(LogEvents.API_WRITE + " actor={} method={} route={} path={} status={}",
                            caller == null ? "-" : caller.actor(), method, r.path(), ctx.path(), ctx.statusCode());
                }
                metrics.apiRequest(method, r.path(), ctx.statusCode(), Duration.ofNanos(System.nanoTime() - t0));
            }
        };
    }

    private static void writeProblem(Context ctx, ApiProblem p) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.getMessage());
        body.put("instance", ctx.path());
        if (p.field() != null) {
            body.put("field", p.field());
        }
        if (!p.errors().isEmpty()) {
            List<Map<String, String>> errors = new ArrayList<>();
            p.errors().forEach(e -> errors.add(Map.of("field", e.field(), "problem", e.problem())));
            body.put("errors", errors);
        }
        ctx.status(p.status()).contentType("application/problem+json").result(Json.write(body));
    }
}
