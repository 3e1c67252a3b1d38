package dev.vmaddr.api.ui;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI's files (PRODUCT.md "Web UI"): static HTML, CSS and JavaScript modules from the jar
 * ({@code src/main/resources/dev/vmaddr/ui}), served at {@code /ui/} with no token, because a browser
 * cannot send the bearer header when it navigates. The pages hold no data; they fetch it from
 * {@code /api/v1} with the token the user typed, so serving them openly gives nothing away.
 *
 * <p>Why not Javalin's static-file handler: the names are checked against one flat pattern here (no
 * directories, so no path can climb out of the UI folder), each answer carries the security headers
 * below, and the bytes are read once and kept (a handful of small files).
 *
 * <p>Headers: the Content-Security-Policy allows only this origin ({@code default-src 'self'}: no
 * inline script or style attribute, no CDN, no external font), {@code frame-ancestors 'none'} keeps
 * the pages out of other sites' frames (click-jacking), {@code nosniff} makes the browser trust the
 * declared types (module scripts need a JavaScript type), {@code no-referrer} keeps URLs to ourselves.
 */
public final class UiAssets {
    /** Where the UI lives on the listener; {@code /} redirects here. */
    public static final String BASE = "/ui/";
    static final String CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";
    private static final String RESOURCES = "/dev/vmaddr/ui/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,40}\\.(html|css|js|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /** Paths the UI answers without a token: {@code /}, {@code /ui}, and everything under {@code /ui/}. */
    public static boolean isUiPath(String path) {
        return path.equals("/") || path.equals("/ui") || path.startsWith(BASE);
    }

    /**
     * {@code GET /}, and {@code GET /ui} without the slash (the pages' relative links need it):
     * to the UI's start page.
     */
    public void redirect(Context ctx) {
        securityHeaders(ctx);
        ctx.redirect(BASE);
    }

    /** {@code GET /ui/}: the start page. */
    public void index(Context ctx) {
        if (!ctx.path().endsWith("/")) {
            redirect(ctx); // the router ignores trailing slashes, so /ui lands here too
            return;
        }
        send(ctx, "index.html");
    }

    /** {@code GET /ui/{asset}}. */
    public void asset(Context ctx) {
        send(ctx, ctx.pathParam("asset"));
    }

    private void send(Context ctx, String name) {
        securityHeaders(ctx);
        Optional<byte[]> body = read(name);
        if (body.isEmpty()) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such UI file");
            return;
        }
        // no-cache: the browser revalidates, so a new jar's UI is seen at once; the files are small
        ctx.header("Cache-Control", "no-cache")
                .contentType(TYPES.get(name.substring(name.lastIndexOf('.') + 1)))
                .result(body.get());
    }

    Optional<byte[]> read(String name) {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        byte[] cached = cache.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (InputStream in = UiAssets.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            cache.put(name, bytes);
            return Optional.of(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer");
    }
}
