package dev.vmaddr.api;

import dev.vmaddr.model.Lease;
import java.time.format.DateTimeFormatter;

/** A lease as the API and {@code vmaddr lease list --output json} print it (PRODUCT.md contract). */
public record LeaseView(String ip, String mac, String network, String state, String clientId, String hostname,
                        String expiresAt, String updatedAt) {
    public static LeaseView of(Lease l) {
        return new LeaseView(l.ip().toString(), l.mac().toString(), l.network(), l.state().wireName(),
                l.clientId() == null ? null : l.clientId().hex(), l.hostname(),
                DateTimeFormatter.ISO_INSTANT.format(l.expiresAt()), DateTimeFormatter.ISO_INSTANT.format(l.updatedAt()));
    }
}
