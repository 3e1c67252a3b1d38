package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.testing.TestCerts;
import dev.vmaddr.testing.TestCerts.KeyForm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PEM certificates and keys in every form openssl writes, made by openssl. */
class PemKeysTest {
    @TempDir
    static Path dir;
    static TestCerts certs;

    @BeforeAll
    static void ca() throws IOException {
        certs = new TestCerts(dir);
    }

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void everyKeyFormLoadsWithItsCertificate(KeyForm form) throws Exception {
        TestCerts.Pair pair = certs.server("s-" + form, form);
        KeyStore ks = PemKeys.keyStore(pair.cert(), pair.key());
        PrivateKey key = (PrivateKey) ks.getKey("vmaddr", PemKeys.PASSWORD.toCharArray());
        assertThat(key.getAlgorithm()).isEqualTo(form.name().startsWith("RSA") ? "RSA" : "EC");
        assertThat(ks.getCertificateChain("vmaddr")).hasSize(1);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        TestCerts.Pair a = certs.server("a", KeyForm.EC_PKCS8);
        TestCerts.Pair b = certs.server("b", KeyForm.EC_SEC1);
        assertThatThrownBy(() -> PemKeys.keyStore(a.cert(), b.key())).isInstanceOf(IOException.class)
                .hasMessageContaining("is not the key of the certificate");
        TestCerts.Pair r = certs.server("r", KeyForm.RSA_PKCS8);
        assertThatThrownBy(() -> PemKeys.keyStore(a.cert(), r.key())).isInstanceOf(IOException.class);
    }

    @Test
    void encryptedOrMissingKeysAndNonCertificatesAreClearErrors() throws Exception {
        TestCerts.Pair a = certs.server("e", KeyForm.RSA_PKCS8);
        Path encrypted = dir.resolve("enc.key");
        Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemKeys.keyStore(a.cert(), encrypted)).hasMessageContaining("is encrypted");
        Path empty = Files.writeString(dir.resolve("empty.key"), "nothing here\n");
        assertThatThrownBy(() -> PemKeys.keyStore(a.cert(), empty)).hasMessageContaining("holds no PEM private key");
        assertThatThrownBy(() -> PemKeys.keyStore(empty, a.key())).isInstanceOf(IOException.class).hasMessageContaining("empty.key");
        Path garbled = Files.writeString(dir.resolve("garbled.key"), "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemKeys.keyStore(a.cert(), garbled)).isInstanceOf(IOException.class);
    }
}
