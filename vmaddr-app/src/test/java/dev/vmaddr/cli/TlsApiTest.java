package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.api.TestServer;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.testing.TestCerts;
import dev.vmaddr.testing.TestCerts.KeyForm;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over real TLS handshakes: the CLI with --ca-file, TLS 1.2/1.3 only, no plain HTTP, reload without dropping connections. */
class TlsApiTest {
    @TempDir
    Path dir;
    TestCerts certs;
    TestCerts.Pair pair;
    TestServer srv;

    @BeforeEach
    void start() throws Exception {
        certs = new TestCerts(dir.resolve("tls"));
        pair = certs.server("server", KeyForm.EC_SEC1);
        srv = startWith(pair);
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    TestServer startWith(TestCerts.Pair p) throws Exception {
        Path data = dir.resolve("data");
        VmaddrConfig.Api api = new VmaddrConfig.Api(new VmaddrConfig.Listen("127.0.0.1", 0), data.resolve("api-token"),
                new VmaddrConfig.Api(VmaddrConfig.DEFAULT_LISTEN, data.resolve("api-token")).tokens(),
                new VmaddrConfig.Tls(p.cert(), p.key()), null);
        return new TestServer(data, api);
    }

    CliRun vmaddr(String url, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--api", url, "--token-file", srv.dataDir.resolve("api-token").toString())).toArray(String[]::new);
        return CliRun.offline(all);
    }

    SSLContext trustingCa() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", dev.vmaddr.api.PemKeys.certificates(certs.caCert).getFirst());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    SSLSocket connect(String... protocols) throws Exception {
        SSLSocket s = (SSLSocket) trustingCa().getSocketFactory().createSocket("127.0.0.1", port());
        if (protocols.length > 0) {
            s.setEnabledProtocols(protocols);
        }
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    int port() {
        return URI.create(srv.url).getPort();
    }

    @Test
    void theCliTalksHttpsWithItsCaFile() {
        assertThat(srv.url).startsWith("https://127.0.0.1:");
        CliRun create = vmaddr(srv.url, "network", "create", "t1", "--cidr", "198.18.30.0/24", "--ca-file", certs.caCert.toString());
        assertThat(create.exit()).as(create.err()).isZero();
        CliRun list = vmaddr(srv.url, "network", "list", "--ca-file", certs.caCert.toString());
        assertThat(list.out()).contains("t1");
        CliRun untrusted = vmaddr(srv.url, "network", "list");
        assertThat(untrusted.exit()).isEqualTo(1);
        assertThat(untrusted.err()).contains("--ca-file");
    }

    @Test
    void rsaKeysInPkcs1FormServeToo() throws Exception {
        srv.close();
        srv = startWith(certs.server("rsa", KeyForm.RSA_PKCS1));
        assertThat(vmaddr(srv.url, "network", "list", "--ca-file", certs.caCert.toString()).exit()).isZero();
        try (SSLSocket s = connect()) {
            assertThat(s.getSession().getPeerCertificates()[0].getPublicKey().getAlgorithm()).isEqualTo("RSA");
        }
    }

    @Test
    void tls12And13AreSpokenAndPlainHttpIsNot() throws Exception {
        try (SSLSocket s = connect("TLSv1.3")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        try (SSLSocket s = connect("TLSv1.2")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/healthz")).timeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> plain.send(r, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void aRenewedCertificateIsServedToNewConnectionsWhileOpenOnesCarryOn() throws Exception {
        try (SSLSocket old = connect()) {
            BigInteger before = serial(old);
            assertThat(get(old, "/healthz")).isEqualTo(200);

            assertThat(srv.server.reloadTls()).as("a forced reload of the same files").isTrue();
            certs.server("renewed", KeyForm.EC_PKCS8, pair.cert(), pair.key()); // renewal in place, a new key too
            dev.vmaddr.api.TlsReloader reloader = serverTls();
            assertThat(reloader.reloadIfChanged()).isTrue();
            assertThat(reloader.reloadIfChanged()).as("nothing changed since").isFalse();

            assertThat(get(old, "/healthz")).as("the open connection is not dropped").isEqualTo(200);
            assertThat(serial(old)).isEqualTo(before);
            try (SSLSocket fresh = connect()) {
                assertThat(serial(fresh)).isNotEqualTo(before);
                assertThat(((X509Certificate) fresh.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName())
                        .contains("CN=renewed");
            }
        }
    }

    @Test
    void aBrokenRenewalKeepsTheCurrentCertificate() throws Exception {
        BigInteger before;
        try (SSLSocket s = connect()) {
            before = serial(s);
        }
        Files.writeString(pair.key(), "half written");
        assertThat(serverTls().reloadIfChanged()).isFalse();
        try (SSLSocket s = connect()) {
            assertThat(serial(s)).isEqualTo(before);
        }
    }

    private dev.vmaddr.api.TlsReloader serverTls() {
        return srv.server.tlsReloader();
    }

    private static BigInteger serial(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** One keep-alive GET on an open connection; the status, with the body read to its end. */
    private static int get(SSLSocket s, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = new BufferedInputStream(s.getInputStream());
        String status = line(in);
        long length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (int size = Integer.parseInt(line(in).strip(), 16); size > 0; size = Integer.parseInt(line(in).strip(), 16)) {
                in.readNBytes(size + 2);
            }
            line(in);
        } else if (length > 0) {
            in.readNBytes((int) length);
        }
        return Integer.parseInt(status.split(" ")[1]);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
