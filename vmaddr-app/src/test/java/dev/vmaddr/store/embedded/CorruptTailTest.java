package dev.vmaddr.store.embedded;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Torn and corrupt logs: whatever is done to the log, recovery keeps exactly the records before the
 * first damaged one, says so in the log, and the store starts and accepts writes.
 */
@Timeout(120)
class CorruptTailTest {
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static final int LEASES = 40;

    @TempDir
    Path root;

    Path template;
    Path segment;
    /** {@code boundary[i]}: the log's size once lease i was acknowledged. */
    final long[] boundary = new long[LEASES];
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void writeTemplate() throws IOException {
        template = root.resolve("template");
        try (EmbeddedStore s = EmbeddedStore.open(template, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
            for (int i = 0; i < LEASES; i++) {
                s.leases().put(lease(i), T0);
            }
        }
        Path file = DataDir.segments(template).getFirst().path();
        segment = file.getFileName();
        // Record ends, read back with the frame reader (the file itself is longer: preallocated zeros).
        ByteBuffer log = ByteBuffer.wrap(Files.readAllBytes(file));
        for (int i = 0; i < LEASES; i++) {
            assertThat(Frames.next(log)).isInstanceOf(Frames.Good.class);
            boundary[i] = log.position();
        }
        assertThat(Frames.next(log)).isInstanceOf(Frames.End.class);
        // Then cut the preallocated tail, so offsets below fall in records (a zero tail is tested apart).
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(boundary[LEASES - 1]);
        }
        logged.start();
        Logger recovery = (Logger) LoggerFactory.getLogger(Recovery.class);
        // A server run in this JVM before (the AOT training test) may have set the root level to warn.
        recovery.setLevel(ch.qos.logback.classic.Level.INFO);
        recovery.addAppender(logged);
    }

    @AfterEach
    void detach() {
        Logger recovery = (Logger) LoggerFactory.getLogger(Recovery.class);
        recovery.detachAppender(logged);
        recovery.setLevel(null);
    }

    static Lease lease(int i) {
        return new Lease("lan", new Ipv4Address(0xC6120000 + i), new MacAddress(0x525400000000L + i), null, null,
                LeaseState.BOUND, T0.plusSeconds(3600), T0);
    }

    Path copy(String name) throws IOException {
        Path d = root.resolve(name);
        Files.createDirectories(d);
        try (Stream<Path> files = Files.list(template)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, d.resolve(f.getFileName()));
            }
        }
        return d;
    }

    /** Leases 0..n-1 where n = how many records end at or before {@code offset}. */
    Set<Integer> expectedUpTo(long offset) {
        Set<Integer> out = new TreeSet<>();
        for (int i = 0; i < LEASES; i++) {
            if (boundary[i] <= offset) {
                out.add(i);
            }
        }
        return out;
    }

    void assertRecovered(Path d, Set<Integer> expected, boolean cut) {
        logged.list.clear();
        try (EmbeddedStore s = EmbeddedStore.open(d, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
            Set<Integer> present = new TreeSet<>();
            s.leases().forEach(l -> present.add(l.ip().value() - 0xC6120000));
            assertThat(present).isEqualTo(expected);
            for (int i : expected) {
                assertThat(s.leases().get("lan", lease(i).ip())).contains(lease(i));
            }
            // The store starts and accepts writes after the cut.
            assertThat(s.leases().put(lease(1000), T0).applied()).isTrue();
        }
        if (cut) {
            assertThat(logged.list).anyMatch(e -> e.getFormattedMessage().startsWith("event=store.recovery.truncated file=")
                    && e.getFormattedMessage().contains("offset=") && e.getFormattedMessage().contains("reason="));
        } else {
            assertThat(logged.list).noneMatch(e -> e.getFormattedMessage().contains("truncated"));
        }
        logged.list.clear();
        try (EmbeddedStore s = EmbeddedStore.open(d, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
            assertThat(s.leases().count()).isEqualTo(expected.size() + 1);
        }
        assertThat(logged.list).noneMatch(e -> e.getFormattedMessage().contains("truncated"));
    }

    @Test
    void truncatedAtRandomOffsets() throws IOException {
        Random random = new Random(1);
        long size = boundary[LEASES - 1];
        List<Long> offsets = new ArrayList<>(List.of(0L, 1L, 15L, 16L, size - 1, boundary[LEASES - 2]));
        for (int i = 0; i < 12; i++) {
            offsets.add((long) random.nextInt((int) size));
        }
        int n = 0;
        for (long offset : offsets) {
            Path d = copy("cut" + n++);
            try (FileChannel ch = FileChannel.open(d.resolve(segment), StandardOpenOption.WRITE)) {
                ch.truncate(offset);
            }
            Set<Integer> expected = expectedUpTo(offset);
            // A cut that leaves only zero bytes after the last record reads as preallocated space: nothing to log.
            long lastEnd = expected.isEmpty() ? 0 : boundary[expected.size() - 1];
            boolean cleanCut = allZero(lastEnd, offset);
            assertRecovered(d, expected, !cleanCut);
        }
    }

    private boolean allZero(long from, long to) throws IOException {
        byte[] bytes = Files.readAllBytes(template.resolve(segment));
        for (long i = from; i < to; i++) {
            if (bytes[(int) i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void flippedBitsCutAtTheDamagedRecord() throws IOException {
        Random random = new Random(2);
        long size = boundary[LEASES - 1];
        for (int n = 0; n < 15; n++) {
            // Mostly the tail, sometimes anywhere (mid-log corruption is cut the same way).
            long position = n % 3 == 0 ? random.nextLong(size) : size - 1 - random.nextLong(Math.min(size, 300));
            Path d = copy("flip" + n);
            Path file = d.resolve(segment);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, position);
                b.put(0, (byte) (b.get(0) ^ (1 << random.nextInt(8))));
                ch.write(b.flip(), position);
            }
            assertRecovered(d, expectedUpTo(position), true);
            try (Stream<Path> files = Files.list(d)) {
                assertThat(files.map(p -> p.getFileName().toString())).anyMatch(f -> f.contains(".corrupt-"));
            }
        }
    }

    @Test
    void garbageAfterTheLastRecordIsCut() throws IOException {
        Random random = new Random(3);
        for (int n = 0; n < 8; n++) {
            Path d = copy("garbage" + n);
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            junk[0] |= 1; // not a zero length: garbage, not preallocated space
            Files.write(d.resolve(segment), junk, StandardOpenOption.APPEND);
            assertRecovered(d, expectedUpTo(Long.MAX_VALUE), true);
        }
    }

    @Test
    void aZeroTailIsPreallocatedSpaceNotDamage() throws IOException {
        Path d = copy("zeros");
        Files.write(d.resolve(segment), new byte[1 << 20], StandardOpenOption.APPEND);
        assertRecovered(d, expectedUpTo(Long.MAX_VALUE), false);
        // Zeros then garbage is damage.
        Path g = copy("zeros-then-garbage");
        byte[] tail = new byte[4096];
        tail[4000] = 7;
        Files.write(g.resolve(segment), tail, StandardOpenOption.APPEND);
        assertRecovered(g, expectedUpTo(Long.MAX_VALUE), true);
    }

    @Test
    void anUntouchedLogRecoversWithoutCutting() throws IOException {
        assertRecovered(copy("clean"), expectedUpTo(Long.MAX_VALUE), false);
    }
}
