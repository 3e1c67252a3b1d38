package dev.vmaddr.cli;

import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.embedded.EmbeddedStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads the embedded store directly, for a client command given {@code --config} when no server
 * answers at the file's {@code api.listen} (PRODUCT.md). Read-only for real: the data directory is
 * copied and the copy opened, so recovery (which may cut a torn tail) and the store's lock file never
 * touch the operator's files, and a server starting meanwhile is not locked out.
 */
final class OfflineStore {
    private OfflineStore() {}

    static void read(VmaddrConfig cfg, String server, Consumer<Store> reader) {
        if (cfg.store() != VmaddrConfig.StoreKind.EMBEDDED) {
            throw new CliException(CliException.FAILED, "no vmaddr server answers at " + server
                    + "; reading a PostgreSQL store directly is not supported: start a server");
        }
        Path dataDir = cfg.dataDir();
        if (!Files.isDirectory(dataDir)) {
            throw new CliException(CliException.FAILED, "no vmaddr server answers at " + server + " and there is no data directory "
                    + dataDir.toAbsolutePath());
        }
        Path copy = null;
        try {
            copy = Files.createTempDirectory("vmaddr-read-");
            try (Stream<Path> files = Files.list(dataDir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    if (!f.getFileName().toString().equals("lock")) {
                        Files.copy(f, copy.resolve(f.getFileName()));
                    }
                }
            }
            try (Store store = EmbeddedStore.open(copy, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
                reader.accept(store);
            }
        } catch (IOException e) {
            throw new CliException(CliException.FAILED, "cannot read the store in " + dataDir + ": " + e.getMessage());
        } finally {
            if (copy != null) {
                deleteTree(copy);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
