package dev.vmaddr.store.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * File names in the data directory. A log segment is named after the sequence number of its first
 * record ({@code log-00000000000000000001.wal}); a snapshot after the last record it contains
 * ({@code snapshot-00000000000000123456.snap}). Zero-padded, so names sort like numbers.
 */
final class DataDir {
    private static final Pattern SEGMENT = Pattern.compile("log-(\\d{20})\\.wal");
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{20})\\.snap");

    record Numbered(long seq, Path path) {}

    private DataDir() {}

    static Path segment(Path dir, long firstSeq) {
        return dir.resolve("log-%020d.wal".formatted(firstSeq));
    }

    static Path snapshot(Path dir, long lastSeq) {
        return dir.resolve("snapshot-%020d.snap".formatted(lastSeq));
    }

    static List<Numbered> segments(Path dir) throws IOException {
        return list(dir, SEGMENT);
    }

    static List<Numbered> snapshots(Path dir) throws IOException {
        return list(dir, SNAPSHOT);
    }

    private static List<Numbered> list(Path dir, Pattern pattern) throws IOException {
        List<Numbered> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(new Numbered(Long.parseLong(m.group(1)), p));
                }
            }
        }
        out.sort(Comparator.comparingLong(Numbered::seq));
        return out;
    }

    /** fsync of the directory, so a created, renamed or deleted name survives a crash. */
    static void sync(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
