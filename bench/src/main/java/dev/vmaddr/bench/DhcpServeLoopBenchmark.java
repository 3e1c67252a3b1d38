package dev.vmaddr.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One DORA per op through the whole server as {@code vmaddr serve} runs it ({@link ServeLoop}: receive
 * loop, decode, protocol, engine, embedded store with group commit and fsync, deferred ACK, encode,
 * pacer), over the in-memory transport. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the
 * bytes allocated per DORA by every thread (server and client side; the client's share is its packet
 * copies, ~4 x 300 B, and the in-memory transport's queue nodes and {@code Sent} copies).
 *
 * <ul>
 *   <li>{@code new}: every op is a client never seen (a fresh MAC); after its ACK it sends a RELEASE
 *   (no reply), so the pool's fill stays flat: DISCOVER allocates from the free index.</li>
 *   <li>{@code returning}: 19,968 clients in turn; after the first lap every DISCOVER finds the
 *   client's lease and every REQUEST renews it.</li>
 * </ul>
 * The ops/s figure includes fsync waits (one per wave at least) and is load-dependent; B/op is not.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DhcpServeLoopBenchmark {
    private static final int RETURNING = 312 * ServeLoop.WAVE; // 19,968: whole waves

    @Param({"new", "returning"})
    public String clients;

    private ServeLoop loop;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loop = new ServeLoop(Files.createTempDirectory("vmaddr-serveloop"));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(ServeLoop.WAVE)
    public long dora() throws InterruptedException {
        boolean fresh = clients.equals("new");
        long first = fresh ? next : next % RETURNING;
        loop.wave(first, fresh);
        next += ServeLoop.WAVE;
        return first;
    }
}
