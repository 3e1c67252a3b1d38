package dev.vmaddr.store.embedded;

import dev.vmaddr.store.DocumentStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** JSON documents by kind and key. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedDocuments implements DocumentStore {
    private final GroupCommitLog log;
    private final StoreState state;

    EmbeddedDocuments(GroupCommitLog log, StoreState state) {
        this.log = log;
        this.state = state;
    }

    @Override
    public void put(String kind, String key, String json) {
        EmbeddedStore.require(kind, "kind");
        EmbeddedStore.require(key, "key");
        EmbeddedStore.require(json, "json");
        log.await(log.appendIf(new Op.DocumentPut(kind, key, json), Precondition.ALWAYS));
    }

    @Override
    public boolean delete(String kind, String key) {
        EmbeddedStore.require(kind, "kind");
        EmbeddedStore.require(key, "key");
        return log.await(log.appendIf(new Op.DocumentDelete(kind, key), Precondition.onlyIf(() -> {
            HashMap<String, String> docs = state.documents.get(kind);
            return docs != null && docs.containsKey(key);
        })));
    }

    @Override
    public Optional<String> get(String kind, String key) {
        EmbeddedStore.require(kind, "kind");
        EmbeddedStore.require(key, "key");
        return log.read(() -> {
            HashMap<String, String> docs = state.documents.get(kind);
            return Optional.ofNullable(docs == null ? null : docs.get(key));
        });
    }

    @Override
    public Map<String, String> list(String kind) {
        EmbeddedStore.require(kind, "kind");
        return log.read(() -> {
            HashMap<String, String> docs = state.documents.get(kind);
            return docs == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(docs));
        });
    }
}
