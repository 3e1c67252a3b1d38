package dev.vmaddr.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and throws away what a request body still holds once its answer is decided, so the
 * connection stays open and the client reads that answer.
 *
 * <p>Why: many answers come before the body is read: 401 and 413 from the {@link RequestGate}, a
 * 404 or 400 from a route that fails on its path, a GET that was sent a body. Jetty then finds the
 * body unread and closes the connection; the client's body bytes still in flight reach a closed
 * socket, the kernel answers them with a reset, and a reset makes the client's kernel drop the
 * answer it had not read yet: the client sees no response at all ("header parser received no
 * bytes"), more often the busier the machine. Web servers read the rest before closing for this
 * reason (nginx's lingering close); this is the same, bounded.
 *
 * <p>Rules: at most {@link #LIMIT} bytes are read (a larger remainder is left and the connection
 * closed, as before); nothing is read when the client asked {@code Expect: 100-continue} and the
 * body was not asked for, because reading would invite the body the answer refuses. A slow client
 * is bounded by the connector's idle timeout like any read.
 */
final class UnreadBodyDrain {
    /** Twice the largest JSON body: enough for any body refused for its size by a client that sent it anyway. */
    static final int LIMIT = 2 * Json.MAX_BODY_BYTES + 4096;

    private UnreadBodyDrain() {
    }

    static void drain(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        if (length == 0 || length > LIMIT || "100-continue".equalsIgnoreCase(ctx.header("Expect"))) {
            return;
        }
        if (length < 0 && ctx.header("Transfer-Encoding") == null) {
            return; // no body at all
        }
        byte[] buffer = new byte[8192];
        long left = LIMIT;
        try {
            InputStream in = ctx.req().getInputStream();
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= n;
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away or the body was taken as a reader: nothing left to save
        }
    }
}
