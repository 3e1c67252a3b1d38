package dev.vmaddr.store.embedded;

import dev.vmaddr.store.DocumentStore;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** JSON documents by kind and key. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedDocuments implements DocumentStore {
    private final EmbeddedStore store;

    EmbeddedDocuments(EmbeddedStore store) {
        this.store = store;
    }

    @Override
    public void put(String kind, String key, String json) {
        EmbeddedStore.require(kind, "kind");
        EmbeddedStore.require(key, "key");
        EmbeddedStore.require(json, "json");
        store.write(new Op.DocumentPut(kind, key, json));
    }

    @Override
    public boolean delete(String kind, String key) {
        EmbeddedStore.require(kind, "kind");
        EmbeddedStore.require(key, "key");
        return store.removeIfPresent(new Op.DocumentDelete(kind, key), () -> {
            TreeMap<String, String> docs = store.state.documents.get(kind);
            return docs != null && docs.containsKey(key);
        });
    }

    @Override
    public Optional<String> get(String kind, String key) {
        EmbeddedStore.require(kind, "kind");
        EmbeddedStore.require(key, "key");
        return store.read(() -> {
            TreeMap<String, String> docs = store.state.documents.get(kind);
            return Optional.ofNullable(docs == null ? null : docs.get(key));
        });
    }

    @Override
    public Map<String, String> list(String kind) {
        EmbeddedStore.require(kind, "kind");
        return store.read(() -> {
            TreeMap<String, String> docs = store.state.documents.get(kind);
            return docs == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(docs));
        });
    }
}
