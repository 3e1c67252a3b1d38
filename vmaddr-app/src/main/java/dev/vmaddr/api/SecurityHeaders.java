package dev.vmaddr.api;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Browser-facing headers on every response the server sends, Jetty's own error pages included (a
 * connector-level customizer runs before any handler, so no route can forget them): a page that is
 * ours loads only from us and is never framed (CSP), answers are not sniffed into another type, and
 * no URL leaks in a Referer. A handler that needs a different policy (say, a UI page) sets its own
 * value, which replaces this one.
 */
public final class SecurityHeaders implements HttpConfiguration.Customizer {
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'";

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        responseHeaders.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        responseHeaders.put("X-Content-Type-Options", "nosniff");
        responseHeaders.put("Referrer-Policy", "no-referrer");
        return request;
    }
}
