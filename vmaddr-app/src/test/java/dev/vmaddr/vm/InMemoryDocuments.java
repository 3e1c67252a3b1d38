package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Stand-in for the embedded store's documents and history until it is on main. */
final class InMemoryDocuments implements DocumentStore, HistoryStore {
    private final Map<String, TreeMap<String, String>> docs = new TreeMap<>();
    private final List<HistoryEvent> events = new ArrayList<>();

    @Override
    public synchronized void put(String kind, String key, String json) {
        docs.computeIfAbsent(kind, k -> new TreeMap<>()).put(key, json);
    }

    @Override
    public synchronized boolean delete(String kind, String key) {
        TreeMap<String, String> m = docs.get(kind);
        return m != null && m.remove(key) != null;
    }

    @Override
    public synchronized Optional<String> get(String kind, String key) {
        return Optional.ofNullable(docs.getOrDefault(kind, new TreeMap<>()).get(key));
    }

    @Override
    public synchronized Map<String, String> list(String kind) {
        return new TreeMap<>(docs.getOrDefault(kind, new TreeMap<>()));
    }

    @Override
    public synchronized void append(HistoryEvent event) {
        events.add(event);
    }

    @Override
    public synchronized List<HistoryEvent> query(Ipv4Address ip, MacAddress mac, String holderContains, Instant from,
                                                 Instant to, int limit) {
        return events.stream()
                .filter(e -> ip == null || ip.equals(e.ip()))
                .filter(e -> mac == null || mac.equals(e.mac()))
                .filter(e -> holderContains == null || (e.holder() != null && e.holder().contains(holderContains)))
                .filter(e -> from == null || !e.at().isBefore(from))
                .filter(e -> to == null || e.at().isBefore(to))
                .limit(limit)
                .toList();
    }
}
