package dev.vmaddr.dhcp6.protocol;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;
import static dev.vmaddr.dhcp6.protocol.Dhcp6Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.codec.Dhcp6Message;
import dev.vmaddr.dhcp6.codec.Dhcp6Option;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.LeaseState;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Dhcp6ProtocolTest {
    private final Dhcp6Fixture f = new Dhcp6Fixture(new SplittableRandom(7));

    private Dhcp6Message answer(byte[] request, boolean relayed) throws Exception {
        Dhcp6Protocol.Answer a = f.protocol.handle(request, relayed ? null : LAN0).orElseThrow();
        assertThat(a.toRelay()).isEqualTo(relayed);
        return Dhcp6Codec.decode(a.payload());
    }

    @Test
    void solicitAdvertisesAndRequestBindsThatAddressDurably() throws Exception {
        Dhcp6Message adv = answer(message(SOLICIT, clientDuid(1), false, iaNa(1)), false);
        assertThat(adv.type()).isEqualTo(ADVERTISE);
        assertThat(adv.transactionId()).isEqualTo(0x123456);
        assertThat(adv.option(OPTION_SERVERID).data()).isEqualTo(SERVER.toBytes());
        assertThat(adv.option(OPTION_CLIENTID).data()).isEqualTo(clientDuid(1).toBytes());
        assertThat(adv.option(OPTION_DNS_SERVERS).data()).isEqualTo(bytes("2001:db8::53"));
        String offered = addresses(adv).getFirst();
        assertThat(offered).startsWith("2001:db8:0:1::10").endsWith("/600");
        Dhcp6Codec.IaNa ia = Dhcp6Codec.iaNa(adv.option(OPTION_IA_NA));
        assertThat(ia.t1()).isEqualTo(300);
        assertThat(ia.t2()).isEqualTo(525);

        String ip = offered.substring(0, offered.indexOf('/'));
        Dhcp6Message reply = answer(message(REQUEST, clientDuid(1), true, iaNa(1, ip)), false);
        assertThat(reply.type()).isEqualTo(REPLY);
        assertThat(addresses(reply)).containsExactly(ip + "/600");
        // Durable: a fresh lease book on the same store knows the binding.
        Ipv6Leases again = new Ipv6Leases(f.store.documents(), f.clock, new SplittableRandom(1));
        again.load();
        assertThat(again.find(LAN0, clientDuid(1), 1).orElseThrow().state()).isEqualTo(LeaseState.BOUND);
    }

    /** The shortest DUID RFC 8415 allows (type + one byte) has no link-layer address; it used to throw out of the protocol. */
    @Test
    void threeByteDuidIsServedWithoutAMac() throws Exception {
        Duid shortest = Duid.parse("00:04:01");
        Dhcp6Message reply = answer(message(SOLICIT, shortest, false, iaNa(3), rapidCommit()), false);
        assertThat(reply.type()).isEqualTo(REPLY);
        assertThat(f.leases.find(LAN0, shortest, 3).orElseThrow().mac()).isNull();
    }

    @Test
    void rapidCommitSolicitIsAnsweredWithABindingReply() throws Exception {
        Dhcp6Message reply = answer(message(SOLICIT, clientDuid(2), false, iaNa(7), rapidCommit()), false);
        assertThat(reply.type()).isEqualTo(REPLY);
        assertThat(reply.option(OPTION_RAPID_COMMIT)).isNotNull();
        assertThat(f.leases.find(LAN0, clientDuid(2), 7).orElseThrow().state()).isEqualTo(LeaseState.BOUND);
    }

    @Test
    void renewKeepsTheAddressReleaseFreesItAndTheClientGetsItBack() throws Exception {
        String ip = strip(addresses(answer(message(SOLICIT, clientDuid(3), false, iaNa(1), rapidCommit()), false)).getFirst());
        f.clock.advance(Duration.ofSeconds(300));
        assertThat(addresses(answer(message(RENEW, clientDuid(3), true, iaNa(1, ip)), false))).containsExactly(ip + "/600");
        // REBIND with an address that is not its binding: the binding comes back, the other is withdrawn.
        assertThat(addresses(answer(message(REBIND, clientDuid(3), false, iaNa(1, "2001:db8:0:1::10f")), false)))
                .containsExactlyInAnyOrder(ip + "/600", "2001:db8:0:1::10f/0");
        Dhcp6Message rel = answer(message(RELEASE, clientDuid(3), true, iaNa(1, ip)), false);
        assertThat(Dhcp6Codec.status(rel.options())).isEqualTo(STATUS_SUCCESS);
        assertThat(f.leases.find(LAN0, clientDuid(3), 1).orElseThrow().state()).isEqualTo(LeaseState.RELEASED);
        assertThat(strip(addresses(answer(message(SOLICIT, clientDuid(3), false, iaNa(1)), false)).getFirst())).isEqualTo(ip);
    }

    @Test
    void declinedAddressIsQuarantinedAndTheClientMovesOn() throws Exception {
        String ip = strip(addresses(answer(message(SOLICIT, clientDuid(4), false, iaNa(1), rapidCommit()), false)).getFirst());
        answer(message(DECLINE, clientDuid(4), true, iaNa(1, ip)), false);
        assertThat(f.leases.lease("lan0", dev.vmaddr.addr.Ipv6Address.parse(ip)).orElseThrow().state())
                .isEqualTo(LeaseState.DECLINED);
        String next = strip(addresses(answer(message(SOLICIT, clientDuid(4), false, iaNa(1), rapidCommit()), false)).getFirst());
        assertThat(next).isNotEqualTo(ip);
    }

    @Test
    void poolOfSixteenServesSixteenClientsThenNoAddrsAvail() throws Exception {
        Set<String> ips = new HashSet<>();
        for (int i = 10; i < 26; i++) {
            ips.add(addresses(answer(message(SOLICIT, clientDuid(i), false, iaNa(1), rapidCommit()), false)).getFirst());
        }
        assertThat(ips).hasSize(16);
        Dhcp6Message full = answer(message(SOLICIT, clientDuid(99), false, iaNa(1)), false);
        assertThat(addresses(full)).isEmpty();
        assertThat(Dhcp6Codec.status(Dhcp6Codec.iaNa(full.option(OPTION_IA_NA)).options())).isEqualTo(STATUS_NO_ADDRS_AVAIL);
    }

    @Test
    void reservationByDuidWins() throws Exception {
        Dhcp6Message r = answer(message(SOLICIT, dev.vmaddr.model.Duid.parse("00:03:00:01:02:00:00:00:00:50"), false,
                iaNa(1), rapidCommit()), false);
        assertThat(addresses(r)).containsExactly("2001:db8:0:1::50/600");
    }

    @Test
    void relayedSolicitChoosesTheNetworkByLinkAddressAndEchoesTheInterfaceId() throws Exception {
        byte[] ifId = HexFormat.of().parseHex("657468302f31");
        Dhcp6Message repl = answer(relayForw("2001:db8:0:1::1", message(SOLICIT, clientDuid(5), false, iaNa(1)), ifId), true);
        assertThat(repl.type()).isEqualTo(RELAY_REPL);
        assertThat(repl.linkAddress()).isEqualTo(bytes("2001:db8:0:1::1"));
        assertThat(repl.peerAddress()).isEqualTo(bytes("fe80::1"));
        assertThat(repl.option(OPTION_INTERFACE_ID).data()).isEqualTo(ifId);
        Dhcp6Message inner = Dhcp6Codec.relayed(repl, 0);
        assertThat(inner.type()).isEqualTo(ADVERTISE);
        assertThat(addresses(inner).getFirst()).startsWith("2001:db8:0:1::10");
        // A link no network has: no answer.
        assertThat(f.protocol.handle(relayForw("2001:db8:9::1", message(SOLICIT, clientDuid(5), false, iaNa(1)), ifId), null))
                .isEmpty();
    }

    @Test
    void confirmSaysWhetherTheAddressesAreOnLink() throws Exception {
        assertThat(Dhcp6Codec.status(answer(message(CONFIRM, clientDuid(6), false, iaNa(1, "2001:db8:0:1::105")), false)
                .options())).isEqualTo(STATUS_SUCCESS);
        assertThat(Dhcp6Codec.status(answer(message(CONFIRM, clientDuid(6), false, iaNa(1, "2001:db8:9::5")), false)
                .options())).isEqualTo(STATUS_NOT_ON_LINK);
    }

    @Test
    void slaacNetworkAnswersInformationRequestOnly() throws Exception {
        Dhcp6Message info = Dhcp6Codec.decode(f.protocol.handle(message(INFORMATION_REQUEST, clientDuid(8), false), LAN1)
                .orElseThrow().payload());
        assertThat(info.type()).isEqualTo(REPLY);
        assertThat(f.protocol.handle(message(SOLICIT, clientDuid(8), false, iaNa(1)), LAN1)).isEmpty();
    }

    @Test
    void wrongOrMissingServerIdIsNotAnswered() {
        assertThat(f.protocol.handle(message(REQUEST, clientDuid(9), false, iaNa(1)), LAN0)).isEmpty();
        assertThat(f.protocol.handle(message(SOLICIT, clientDuid(9), true, iaNa(1)), LAN0)).isEmpty();
        assertThat(f.protocol.handle(message(SOLICIT, null, false, iaNa(1)), LAN0)).isEmpty();
        assertThat(f.protocol.handle(new byte[] {1, 0}, LAN0)).isEmpty();
    }

    private static String strip(String withLifetime) {
        return withLifetime.substring(0, withLifetime.indexOf('/'));
    }
}
