package dev.vmaddr.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private CA and server certificates made with the openssl command, in a test's directory: what an
 * operator would make, in each private key form openssl writes. The server certificates name
 * 127.0.0.1 and localhost.
 */
public final class TestCerts {
    /** How the server key is written. */
    public enum KeyForm {
        RSA_PKCS8("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
        RSA_PKCS1("genrsa", "-traditional", "2048"),
        EC_SEC1("ecparam", "-name", "prime256v1", "-genkey"),
        EC_PKCS8("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");

        final List<String> args;

        KeyForm(String... args) {
            this.args = List.of(args);
        }
    }

    public record Pair(Path cert, Path key) {}

    private final Path dir;
    public final Path caCert;
    private final Path caKey;
    private int serial;

    public TestCerts(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(),
                "-days", "2", "-subj", "/CN=vmaddr test CA");
    }

    /** A new key in {@code form} and a certificate for it signed by the CA, written to {@code name}.pem and .key. */
    public Pair server(String name, KeyForm form) throws IOException {
        return server(name, form, dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    }

    /** As {@link #server(String, KeyForm)}, written to the given files (replacing them: a renewal). */
    public Pair server(String cn, KeyForm form, Path cert, Path key) throws IOException {
        List<String> gen = new ArrayList<>(form.args);
        gen.addAll(List.of("-out", key.toString()));
        if (form == KeyForm.RSA_PKCS1) { // genrsa takes the size last
            gen.remove("2048");
            gen.add("2048");
        }
        openssl(gen.toArray(String[]::new));
        Path csr = dir.resolve(cn + ".csr");
        Path ext = dir.resolve(cn + ".ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + cn, "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-set_serial", String.valueOf(1000 + ++serial), "-days", "1", "-extfile", ext.toString(), "-out", cert.toString());
        return new Pair(cert, key);
    }

    private void openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl took too long: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("openssl failed: " + cmd + "\n" + out);
        }
    }
}
