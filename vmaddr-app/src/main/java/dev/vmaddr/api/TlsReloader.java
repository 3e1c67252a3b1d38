package dev.vmaddr.api;

import dev.vmaddr.config.VmaddrConfig.Tls;
import dev.vmaddr.log.LogEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the TLS listener's certificate when its PEM files change (a renewal by certbot, an
 * operator's copy) or on request (SIGHUP). Jetty's {@code reload} swaps the SSL context for new
 * handshakes only: open connections keep theirs and are not dropped.
 *
 * <p>A half-written pair (new certificate, old key) does not match, so the load fails and the old
 * context stays; the next check after the second file lands succeeds. Only a pair that loaded is
 * remembered as current.
 */
public final class TlsReloader {
    private static final Logger log = LoggerFactory.getLogger(TlsReloader.class);

    private final Tls tls;
    private final SslContextFactory.Server ssl;
    private String loadedStamp;

    TlsReloader(Tls tls, SslContextFactory.Server ssl) {
        this.tls = tls;
        this.ssl = ssl;
        this.loadedStamp = stamp();
    }

    /** Reloads if either file changed since the last successful load; true when it reloaded. */
    public synchronized boolean reloadIfChanged() {
        String now = stamp();
        if (Objects.equals(now, loadedStamp)) {
            return false;
        }
        return reload(now);
    }

    /** Reloads now, changed or not (SIGHUP); true when the new pair loaded. */
    public synchronized boolean reload() {
        return reload(stamp());
    }

    private boolean reload(String stamp) {
        KeyStore ks;
        try {
            ks = PemKeys.keyStore(tls.cert(), tls.key());
        } catch (IOException e) {
            log.warn(LogEvents.API_TLS_RELOAD_FAILED + " cert={} error=\"{}\"", tls.cert(), e.getMessage());
            return false;
        }
        try {
            ssl.reload(f -> {
                f.setKeyStore(ks);
                f.setKeyStorePassword(PemKeys.PASSWORD);
            });
        } catch (Exception e) {
            log.warn(LogEvents.API_TLS_RELOAD_FAILED + " cert={} error=\"{}\"", tls.cert(), e.getMessage());
            return false;
        }
        loadedStamp = stamp;
        log.info(LogEvents.API_TLS_RELOADED + " cert={}", tls.cert());
        return true;
    }

    /**
     * A digest of both files' content (they are small): unlike a modification time it sees a rewrite
     * within the same second and ignores a touch. Null while one is missing (mid-replacement).
     */
    private String stamp() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(Files.readAllBytes(tls.cert()));
            d.update((byte) 0);
            d.update(Files.readAllBytes(tls.key()));
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
