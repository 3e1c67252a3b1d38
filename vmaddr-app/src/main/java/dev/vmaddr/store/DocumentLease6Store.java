package dev.vmaddr.store;

import dev.vmaddr.model.Lease6;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link Lease6Store} as documents of kind {@link Lease6Json#KIND}, for a store that only one server
 * uses: the in-memory owner ({@code ipam.Ipv6Leases}) has already decided under its lock, so every
 * write is applied as given.
 */
public final class DocumentLease6Store implements Lease6Store {
    private final DocumentStore documents;

    public DocumentLease6Store(DocumentStore documents) {
        this.documents = documents;
    }

    @Override
    public Optional<Lease6> putUnlessHeld(Lease6 lease, Instant now) {
        documents.put(Lease6Json.KIND, Lease6Json.key(lease), Lease6Json.write(lease));
        return Optional.empty();
    }

    @Override
    public Optional<Lease6> expireIfRunOut(Lease6 expired, Instant now) {
        return putUnlessHeld(expired, now);
    }

    @Override
    public List<Lease6> list() {
        List<Lease6> out = new ArrayList<>();
        for (String json : documents.list(Lease6Json.KIND).values()) {
            out.add(Lease6Json.read(json));
        }
        return out;
    }
}
