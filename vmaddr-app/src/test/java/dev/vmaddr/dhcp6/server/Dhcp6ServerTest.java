package dev.vmaddr.dhcp6.server;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;
import static dev.vmaddr.dhcp6.protocol.Dhcp6Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.dhcp.transport.Datagram6;
import dev.vmaddr.dhcp.transport.InMemoryPacket6Transport;
import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.protocol.Dhcp6Fixture;
import dev.vmaddr.dhcp6.protocol.Dhcp6Protocol;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.ra.Links;
import dev.vmaddr.ra.ServedNetworks;
import dev.vmaddr.store.Lease6Json;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.embedded.LogFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Dhcp6Server over the in-memory transport: where answers go, what is joined, what is counted. */
class Dhcp6ServerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Dhcp6Server.Dispatch.class)
    void answersClientsOnTheirLinkAndRelaysOnTheServerPortAndCountsGarbage(Dhcp6Server.Dispatch dispatch) throws Exception {
        Dhcp6Fixture f = new Dhcp6Fixture(new SplittableRandom(5));
        NetworkSpec lan0 = LAN0.toBuilder().bridge("br0").build();
        Dhcp6EventLog events = new Dhcp6EventLog();
        InMemoryPacket6Transport t = new InMemoryPacket6Transport();
        Links links = name -> name.equals("br0") ? Optional.of(new Links.Link("br0", 7, null, null)) : Optional.empty();
        Dhcp6Server server = new Dhcp6Server(t, new Dhcp6Protocol(f.ops, SERVER, events), List.of("br0"),
                new ServedNetworks(() -> List.of(lan0)), links, f.clock, dispatch, 16);
        server.start();
        try {
            assertThat(t.joined()).containsExactly(new InMemoryPacket6Transport.Joined(7, Ipv6Address.parse("ff02::1:2")));
            assertThat(server.ready()).isTrue();
            Ipv6Address client = Ipv6Address.parse("fe80::18:ff:fe00:1");
            t.deliver(new Datagram6(7, client, 546, Ipv6Address.parse("ff02::1:2"), message(SOLICIT, clientDuid(1), false, iaNa(1))));
            InMemoryPacket6Transport.Sent adv = t.awaitSent(WAIT);
            assertThat(adv).isNotNull();
            assertThat(adv.ifIndex()).isEqualTo(7);
            assertThat(adv.destination()).isEqualTo(client);
            assertThat(adv.port()).isEqualTo(546);
            assertThat(Dhcp6Codec.decode(adv.data()).type()).isEqualTo(ADVERTISE);

            Ipv6Address relay = Ipv6Address.parse("2001:db8:0:ff::2");
            t.deliver(new Datagram6(7, relay, 547, Ipv6Address.parse("2001:db8:0:ff::1"),
                    relayForw("2001:db8:0:1::1", message(SOLICIT, clientDuid(2), false, iaNa(1)), new byte[] {1})));
            InMemoryPacket6Transport.Sent repl = t.awaitSent(WAIT);
            assertThat(repl).isNotNull();
            assertThat(repl.destination()).isEqualTo(relay);
            assertThat(repl.port()).isEqualTo(547);
            assertThat(repl.ifIndex()).isZero(); // a global relay address: routing decides
            assertThat(Dhcp6Codec.decode(repl.data()).type()).isEqualTo(RELAY_REPL);

            // Garbage and an unserved interface get nothing; garbage is counted.
            t.deliver(new Datagram6(7, client, 546, Ipv6Address.parse("ff02::1:2"), new byte[] {1, 2}));
            t.deliver(new Datagram6(9, client, 546, Ipv6Address.parse("ff02::1:2"), message(SOLICIT, clientDuid(3), false, iaNa(1))));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((events.malformedCount() < 1 || events.droppedCount() < 1) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(events.malformedCount()).isEqualTo(1);
            assertThat(events.droppedCount()).isEqualTo(1);
            assertThat(t.pollSent()).isNull();
        } finally {
            server.stop();
        }
    }

    /**
     * Inline dispatch over the real embedded store: the ADVERTISE (nothing durable behind it) leaves
     * at once, the REPLY only after the fsync that made its binding durable, and never when that fsync
     * fails; the receiver goes on answering other clients meanwhile.
     */
    @Test
    void inlineRepliesLeaveOnlyOnceTheirBindingIsDurable() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicBoolean broken = new AtomicBoolean();
        Dhcp6Fixture f = new Dhcp6Fixture(new SplittableRandom(5));
        NetworkSpec lan0 = LAN0.toBuilder().bridge("br0").build();
        Links links = name -> name.equals("br0") ? Optional.of(new Links.Link("br0", 7, null, null)) : Optional.empty();
        InMemoryPacket6Transport t = new InMemoryPacket6Transport();
        try (EmbeddedStore store = EmbeddedStore.open(dir, f.clock,
                EmbeddedStore.Options.defaults().withLogFiles(gated(armed, gate, broken)))) {
            Ipv6Leases leases = new Ipv6Leases(store.documents(), f.clock, new SplittableRandom(5));
            ServedNetworks networks = new ServedNetworks(() -> List.of(lan0));
            Dhcp6Server server = new Dhcp6Server(t, new Dhcp6Protocol(new EngineLease6Operations(leases, networks), SERVER,
                    new Dhcp6EventLog()), List.of("br0"), networks, links, f.clock, Dhcp6Server.Dispatch.INLINE, 16);
            server.start();
            try {
                Ipv6Address client = Ipv6Address.parse("fe80::18:ff:fe00:1");
                Ipv6Address group = Ipv6Address.parse("ff02::1:2");
                armed.set(true);
                t.deliver(new Datagram6(7, client, 546, group, message(REQUEST, clientDuid(1), true, iaNa(1))));
                t.deliver(new Datagram6(7, client, 546, group, message(SOLICIT, clientDuid(2), false, iaNa(1))));
                InMemoryPacket6Transport.Sent advertise = t.awaitSent(WAIT);
                assertThat(advertise).isNotNull();
                Thread.sleep(200); // the REPLY must still be waiting for its fsync
                assertThat(t.pollSent()).isNull();
                assertThat(Dhcp6Codec.decode(advertise.data()).type()).isEqualTo(ADVERTISE);
                gate.countDown();
                InMemoryPacket6Transport.Sent reply = t.awaitSent(WAIT);
                assertThat(reply).isNotNull();
                assertThat(Dhcp6Codec.decode(reply.data()).type()).isEqualTo(REPLY);
                assertThat(store.documents().list(Lease6Json.KIND)).hasSize(1);

                broken.set(true); // the next fsync fails: its REPLY is never sent
                t.deliver(new Datagram6(7, client, 546, group, message(REQUEST, clientDuid(3), true, iaNa(1))));
                Thread.sleep(300);
                assertThat(t.pollSent()).isNull();
            } finally {
                server.stop();
            }
        }
    }

    /** A log whose fsync waits at {@code gate} once {@code armed}, and fails when {@code broken}. */
    private static LogFile.Opener gated(AtomicBoolean armed, CountDownLatch gate, AtomicBoolean broken) {
        return (path, appendAt) -> {
            LogFile real = LogFile.FILES.open(path, appendAt);
            return new LogFile() {
                @Override
                public void write(ByteBuffer data) throws IOException {
                    real.write(data);
                }

                @Override
                public void force() throws IOException {
                    if (armed.get()) {
                        try {
                            gate.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    if (broken.get()) {
                        throw new IOException("Input/output error");
                    }
                    real.force();
                }

                @Override
                public long size() throws IOException {
                    return real.size();
                }

                @Override
                public void truncate(long size) throws IOException {
                    real.truncate(size);
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        };
    }
}
