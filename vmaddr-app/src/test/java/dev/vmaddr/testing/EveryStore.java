package dev.vmaddr.testing;

import dev.vmaddr.store.Store;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.store.postgresql.PostgresStore;
import dev.vmaddr.testing.postgres.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The three back ends side by side, for properties that must hold on each: the memory store, an
 * embedded store in a temporary directory and a PostgreSQL store on a server this opens (a real
 * {@link PostgresCluster}). Opened once per test container (opening PostgreSQL costs seconds);
 * {@link #close} stops and deletes everything.
 */
public final class EveryStore implements AutoCloseable {
    private final Path dir;
    private final PostgresCluster cluster;
    private final Map<String, Store> stores;

    private EveryStore(Path dir, PostgresCluster cluster, Map<String, Store> stores) {
        this.dir = dir;
        this.cluster = cluster;
        this.stores = stores;
    }

    /** @param name names the temporary directory and the database */
    public static EveryStore open(String name) throws IOException {
        Path dir = Files.createTempDirectory("vmaddr-" + name);
        PostgresCluster cluster = PostgresCluster.create();
        String url = cluster.createDatabase(name);
        Map<String, Store> stores = new LinkedHashMap<>();
        stores.put("memory", new MemoryStore());
        stores.put("embedded", EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults()));
        stores.put("postgresql", PostgresStore.open(url, cluster.user(), cluster.password(), Clock.systemUTC(),
                PostgresStore.Options.defaults()));
        return new EveryStore(dir, cluster, stores);
    }

    /** By back end name: memory, embedded, postgresql, in that order. */
    public Map<String, Store> byName() {
        return stores;
    }

    @Override
    public void close() throws IOException {
        stores.values().forEach(Store::close);
        cluster.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
