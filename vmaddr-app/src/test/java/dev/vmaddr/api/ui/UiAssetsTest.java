package dev.vmaddr.api.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.api.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UI's files over real HTTP: no token needed, the security headers, and nothing but the UI's own files. */
class UiAssetsTest {
    static final Path SOURCES = Path.of("src/main/resources/dev/vmaddr/ui");

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient(); // follows no redirect

    HttpResponse<String> get(TestServer srv, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(srv.url + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rootRedirectsToTheUiWhoseFilesNeedNoTokenAndCarryTheSecurityHeaders() throws Exception {
        try (TestServer srv = new TestServer(dir.resolve("data"))) {
            for (String path : List.of("/", "/ui")) {
                HttpResponse<String> r = get(srv, path);
                assertThat(r.statusCode()).as(path).isBetween(301, 308);
                assertThat(r.headers().firstValue("Location")).as(path).hasValueSatisfying(l -> assertThat(l).endsWith("/ui/"));
            }
            HttpResponse<String> index = get(srv, "/ui/");
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(index.body()).contains("<script type=\"module\" src=\"app.js\"></script>", "type=\"password\"");
            assertThat(index.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                    .contains("default-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe"));
            assertThat(index.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

            HttpResponse<String> js = get(srv, "/ui/app.js");
            assertThat(js.statusCode()).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
            assertThat(js.body()).isEqualTo(Files.readString(SOURCES.resolve("app.js")));
            assertThat(get(srv, "/ui/app.css").headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));

            // the UI's openness stops at its own files: the data still needs the token
            assertThat(get(srv, "/api/v1/networks").statusCode()).isEqualTo(401);
            assertThat(get(srv, "/api/openapi.json").body()).doesNotContain("/ui/");
        }
    }

    @Test
    void onlyTheUisOwnFilesAreServed() throws Exception {
        try (TestServer srv = new TestServer(dir.resolve("data"))) {
            for (String path : List.of("/ui/nope.js", "/ui/..%2Flogback.xml", "/ui/%2E%2E%2Flogback.xml", "/ui/app.JS",
                    "/ui/../logback.xml", "/ui/sub/app.js", "/ui/UiAssets.class")) {
                assertThat(get(srv, path).statusCode()).as(path).isIn(401, 404);
            }
        }
    }

    /** The pages must work under {@code default-src 'self'}: no inline script, style attribute or event handler. */
    @Test
    void noInlineScriptStyleOrHandlerInAnyUiFile() throws Exception {
        Pattern inline = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>|\\sstyle=|<style|\\son[a-z]+=|javascript:|innerHTML|eval\\(|new Function",
                Pattern.CASE_INSENSITIVE);
        try (var files = Files.list(SOURCES)) {
            List<Path> all = files.toList();
            assertThat(all).extracting(p -> p.getFileName().toString()).contains("index.html", "app.js", "app.css");
            for (Path f : all) {
                assertThat(inline.matcher(Files.readString(f)).find()).as(f.toString()).isFalse();
            }
        }
    }
}
