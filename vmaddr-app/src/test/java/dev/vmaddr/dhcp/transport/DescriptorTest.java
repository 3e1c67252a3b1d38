package dev.vmaddr.dhcp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DescriptorTest {

    private static Descriptor udpSocket() {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.socket(Libc.newCallState(arena), Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            return new Descriptor(fd);
        }
    }

    /**
     * Four threads enter and leave as fast as they can, staying inside a little now and then, while
     * another closes: no thread may be inside once close has returned (the descriptor number could
     * already be another file's), and every thread ends with ClosedChannelException.
     */
    @Test
    void closeWaitsForCallsInsideAndLetsNoneInAfterwards() throws Exception {
        Descriptor fd = udpSocket();
        Arena buffers = Arena.ofShared();
        MemorySegment buffer = buffers.allocate(64);
        AtomicInteger insideAfterClose = new AtomicInteger();
        AtomicLong calls = new AtomicLong();
        CountDownLatch started = new CountDownLatch(4);
        AtomicBoolean closed = new AtomicBoolean();
        List<Thread> callers = new ArrayList<>();
        List<Throwable> endings = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            callers.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    for (long i = 0; ; i++) {
                        fd.enter();
                        try {
                            buffer.set(ValueLayout.JAVA_BYTE, i & 63, (byte) i); // freed by close
                            if ((i & 255) == 0) {
                                Thread.sleep(0, 50_000);
                            }
                            if (closed.get()) {
                                insideAfterClose.incrementAndGet();
                            }
                        } finally {
                            fd.exit();
                        }
                        calls.incrementAndGet();
                    }
                } catch (Throwable e) {
                    endings.add(e);
                }
            }));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(50);
        fd.shutdownAndClose(buffers);
        closed.set(true);
        for (Thread c : callers) {
            c.join(10_000);
            assertThat(c.isAlive()).isFalse();
        }
        assertThat(calls.get()).isPositive();
        assertThat(insideAfterClose.get()).isZero();
        assertThat(endings).hasSize(4).allMatch(e -> e instanceof ClosedChannelException);
        assertThat(fd.closed()).isTrue();
        assertThat(buffers.scope().isAlive()).isFalse();
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailAsClosed() throws Exception {
        Descriptor fd = udpSocket();
        Arena buffers = Arena.ofShared();
        fd.shutdownAndClose(buffers);
        fd.shutdownAndClose(buffers); // a second close neither closes the number again nor fails
        assertThatThrownBy(fd::enter).isInstanceOf(ClosedChannelException.class);
    }
}
