package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers decided before the body is read (401, 413, a GET sent a body) keep the connection: the
 * server reads the rest of the body ({@link UnreadBodyDrain}) instead of closing on unread bytes,
 * which made a busy client lose the answer to a reset. The body is sent late on purpose, after the
 * server has answered, the order a loaded machine produces by chance.
 */
class ApiUnreadBodyTest {
    @TempDir
    Path dir;
    TestServer srv;

    @BeforeEach
    void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
    }

    @AfterEach
    void stop() {
        srv.close();
    }

    @Test
    void anAnswerBeforeTheBodyKeepsTheConnectionForTheNextRequest() throws Exception {
        String body = "{\"name\":\"late\",\"cidr\":\"198.18.7.0/24\"}";
        try (Socket s = socket()) {
            send(s, "POST /api/v1/networks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n");
            Thread.sleep(300); // the gate has refused the missing token by now
            send(s, body);
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 401");
            send(s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aTooLargeBodySentAnywayIsReadAndAnswered413OnAConnectionThatStaysOpen() throws Exception {
        byte[] big = new byte[Json.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        try (Socket s = socket()) {
            send(s, "POST /api/v1/networks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + srv.token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + big.length + "\r\n\r\n");
            Thread.sleep(300);
            s.getOutputStream().write(big);
            s.getOutputStream().flush();
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
            send(s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void withExpectContinueTheRefusedBodyIsNeverAskedFor() throws Exception {
        try (Socket s = socket()) {
            send(s, "POST /api/v1/networks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + srv.token
                    + "\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: " + (Json.MAX_BODY_BYTES + 1)
                    + "\r\n\r\n");
            // the final answer, not "100 Continue": the server refuses without inviting the body
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
        }
    }

    private Socket socket() throws IOException {
        URI u = URI.create(srv.url);
        Socket s = new Socket(u.getHost(), u.getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One response: the head, then as many body bytes as its Content-Length says. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        assertThat(text).as("a response head before the connection closed").endsWith("\r\n\r\n");
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        assertThat(in.readNBytes(length)).hasSize(length);
        return text;
    }
}
