package dev.vmaddr.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEM certificate chain and its private key → an in-memory key store for the TLS listener. Reads
 * the key forms openssl writes: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY})
 * and SEC1 EC ({@code EC PRIVATE KEY}); the last two are wrapped into PKCS#8 here, which is all the
 * JDK's key factories read. Encrypted keys are refused (the server starts unattended).
 */
public final class PemKeys {
    /** The key store's password: it never leaves memory, so a constant is as good as any. */
    public static final String PASSWORD = "vmaddr";
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    private static final byte[] RSA_ALGORITHM = HexFormat.of().parseHex("300d06092a864886f70d0101010500");
    private static final byte[] EC_PUBLIC_KEY_OID = HexFormat.of().parseHex("06072a8648ce3d0201");

    private PemKeys() {}

    /** The chain in {@code cert} with the key in {@code key}, checked to belong together. */
    public static KeyStore keyStore(Path cert, Path key) throws IOException {
        List<Certificate> chain = certificates(cert);
        X509Certificate leaf = (X509Certificate) chain.getFirst();
        PrivateKey privateKey = privateKey(key, leaf.getPublicKey().getAlgorithm());
        checkPair(leaf, privateKey, cert, key);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("vmaddr", privateKey, PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a key store from " + cert + " and " + key + ": " + e.getMessage(), e);
        }
    }

    public static List<Certificate> certificates(Path file) throws IOException {
        try {
            List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file))));
            if (certs.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return certs;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(Path file, String algorithm) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).strip());
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": the " + type + " block is not base64");
            }
            byte[] pkcs8 = switch (type) {
                case "PRIVATE KEY" -> der;
                case "RSA PRIVATE KEY" -> pkcs8(RSA_ALGORITHM, der);
                case "EC PRIVATE KEY" -> pkcs8(ecAlgorithm(der, file), der);
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException(file + " is encrypted; write it unencrypted (openssl pkey -in K -out K2) and keep it mode 0600");
                default -> null; // EC PARAMETERS and the like: not the key
            };
            if (pkcs8 == null) {
                continue;
            }
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                throw new IOException(file + " does not hold a " + algorithm + " key for the certificate: " + e.getMessage(), e);
            }
        }
        throw new IOException(file + " holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** Signs with the key and verifies with the certificate, so a mismatched pair fails at start, not at every handshake. */
    private static void checkPair(X509Certificate cert, PrivateKey key, Path certFile, Path keyFile) throws IOException {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new IOException(keyFile + ": " + key.getAlgorithm() + " keys are not supported; use RSA or EC");
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            if (!v.verify(signature)) {
                throw new IOException(keyFile + " is not the key of the certificate in " + certFile);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(keyFile + " does not match " + certFile + ": " + e.getMessage(), e);
        }
    }

    /** SEC1 ECPrivateKey: SEQUENCE { version, OCTET STRING key, [0] curve OID, [1] public key }. */
    private static byte[] ecAlgorithm(byte[] sec1, Path file) throws IOException {
        Der seq = Der.read(sec1, 0, file);
        int at = seq.contentStart();
        while (at < seq.end()) {
            Der element = Der.read(sec1, at, file);
            if (element.tag() == 0xA0) {
                Der oid = Der.read(sec1, element.contentStart(), file);
                ByteArrayOutputStream alg = new ByteArrayOutputStream();
                alg.writeBytes(EC_PUBLIC_KEY_OID);
                alg.write(sec1, oid.start(), oid.end() - oid.start());
                return Der.wrap(0x30, alg.toByteArray());
            }
            at = element.end();
        }
        throw new IOException(file + ": the EC key names no curve");
    }

    /** PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }. */
    private static byte[] pkcs8(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.writeBytes(Der.wrap(0x04, key));
        return Der.wrap(0x30, body.toByteArray());
    }

    /** One DER element's position: just enough DER to find a curve and wrap a key. */
    private record Der(int tag, int start, int contentStart, int end) {
        static Der read(byte[] b, int at, Path file) throws IOException {
            if (at + 2 > b.length) {
                throw new IOException(file + ": truncated key");
            }
            int tag = b[at] & 0xff;
            int len = b[at + 1] & 0xff;
            int content = at + 2;
            if (len > 0x80) {
                int n = len - 0x80;
                if (n > 3 || content + n > b.length) {
                    throw new IOException(file + ": malformed key");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[content + i] & 0xff);
                }
                content += n;
            } else if (len == 0x80) {
                throw new IOException(file + ": malformed key");
            }
            if (content + len > b.length) {
                throw new IOException(file + ": truncated key");
            }
            return new Der(tag, at, content, content + len);
        }

        static byte[] wrap(int tag, byte[] content) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(tag);
            int len = content.length;
            if (len < 0x80) {
                out.write(len);
            } else if (len < 0x100) {
                out.write(0x81);
                out.write(len);
            } else if (len < 0x10000) {
                out.write(0x82);
                out.write(len >> 8);
                out.write(len);
            } else {
                out.write(0x83);
                out.write(len >> 16);
                out.write(len >> 8);
                out.write(len);
            }
            out.writeBytes(content);
            return out.toByteArray();
        }
    }
}
