package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.dhcp.codec.ClasslessRoute;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.Octets;
import dev.vmaddr.dhcp.codec.OptionCodes;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.LeaseState;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

import static dev.vmaddr.dhcp.codec.DhcpMessageType.*;
import static dev.vmaddr.dhcp.protocol.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

class DhcpProtocolTest {
    private final Fixture f = new Fixture();
    private final DhcpProtocol protocol = f.protocol();

    private Reply handle(DhcpMessage m, ReceiveContext ctx) throws Exception {
        return overTheWire(protocol, m, ctx).orElseThrow();
    }

    private Ipv4Address bindViaDora(Ipv4Address wanted) throws Exception {
        Reply offer = handle(request(DISCOVER, o -> { if (wanted != null) o.requestedIp(wanted); }), ON_LAN0);
        Ipv4Address ip = offer.message().yiaddr();
        Reply ack = handle(request(REQUEST, o -> o.serverId(SERVER).requestedIp(ip)), ON_LAN0);
        assertThat(ack.type()).isEqualTo(ACK);
        return ip;
    }

    @Test
    void discoverHonoursRequestedAddressWhenFree_andOfferCarriesLeaseOptions() throws Exception {
        Reply offer = handle(request(DISCOVER, o -> o.requestedIp(ip("198.18.0.103"))), ON_LAN0);
        DhcpMessage m = offer.message();
        assertThat(offer.type()).isEqualTo(OFFER);
        assertThat(m.yiaddr()).isEqualTo(ip("198.18.0.103"));
        assertThat(m.op()).isEqualTo(DhcpMessage.BOOTREPLY);
        assertThat(m.xid()).isEqualTo(0x5eed);
        assertThat(m.mac()).isEqualTo(MAC);
        assertThat(m.options().serverId()).contains(SERVER);
        assertThat(m.options().leaseTime()).contains(Duration.ofSeconds(120));
        assertThat(m.options().renewalTime()).contains(Duration.ofSeconds(60));
        assertThat(m.options().rebindingTime()).contains(Duration.ofSeconds(105));
        assertThat(m.options().subnetMask()).contains(ip("255.255.255.0"));
        assertThat(offer.broadcast()).isTrue();
        assertThat(offer.port()).isEqualTo(68);
        assertThat(offer.interfaceName()).isEqualTo("br-lan0");
        assertThat(f.leases.lease("lan0", ip("198.18.0.103")).orElseThrow().state()).isEqualTo(LeaseState.OFFERED);
    }

    @Test
    void discoverIgnoresRequestedAddressOutsideTheNetworkOrTaken() throws Exception {
        Reply offer = handle(request(DISCOVER, o -> o.requestedIp(ip("10.9.9.9"))), ON_LAN0);
        assertThat(offer.message().yiaddr()).isEqualTo(ip("198.18.0.100"));
    }

    @Test
    void selectingRequestBindsAndAcks() throws Exception {
        Ipv4Address ip = bindViaDora(null);
        assertThat(f.leases.leaseOf("lan0", HolderKey.of(null, MAC)).orElseThrow().state()).isEqualTo(LeaseState.BOUND);
        assertThat(f.events.count("lease.BOUND")).isEqualTo(1);
        assertThat(f.events.count("sent.ACK")).isEqualTo(1);
        assertThat(ip).isEqualTo(ip("198.18.0.100"));
    }

    @Test
    void selectingAnotherServerRetractsOurOfferSilently() throws Exception {
        Ipv4Address ip = handle(request(DISCOVER, o -> { }), ON_LAN0).message().yiaddr();
        assertThat(protocol.handle(request(REQUEST, o -> o.serverId(ip("198.18.0.2")).requestedIp(ip)), ON_LAN0)).isEmpty();
        // The old fake stored a RELEASED record here. The engine never stores offers (AllocationEngine: "offers
        // (memory only: a lost offer is harmless)"), so a withdrawn one leaves no record; what matters per
        // RFC 2131 4.3.2 is that the address is ours to reuse at once: another client asking for it gets it.
        assertThat(f.leases.lease("lan0", ip)).isEmpty();
        assertThat(f.events.count("lease.OFFER_RETRACTED")).isEqualTo(1);
        DhcpMessage other = request(DISCOVER, dev.vmaddr.addr.MacAddress.parse("02:00:00:00:00:94"), h -> { },
                o -> o.requestedIp(ip));
        assertThat(handle(other, ON_LAN0).message().yiaddr()).isEqualTo(ip);
    }

    @Test
    void selectingAnAddressTakenByAnotherClientIsNaked() throws Exception {
        bindViaDora(ip("198.18.0.102"));
        DhcpMessage other = request(REQUEST, dev.vmaddr.addr.MacAddress.parse("02:00:00:00:00:99"),
                h -> { }, o -> o.serverId(SERVER).requestedIp(ip("198.18.0.102")));
        Reply nak = handle(other, ON_LAN0);
        assertThat(nak.type()).isEqualTo(NAK);
        assertThat(nak.broadcast()).isTrue();
        assertThat(nak.message().yiaddr()).isEqualTo(Ipv4Address.ANY);
        assertThat(f.events.count("nak")).isEqualTo(1);
    }

    @Test
    void initRebootAcksTheClientsOwnLease() throws Exception {
        Ipv4Address ip = bindViaDora(null);
        Reply ack = handle(request(REQUEST, o -> o.requestedIp(ip)), ON_LAN0);
        assertThat(ack.type()).isEqualTo(ACK);
        assertThat(ack.message().yiaddr()).isEqualTo(ip);
        assertThat(ack.broadcast()).isTrue();
        assertThat(f.events.count("lease.RENEWED")).isEqualTo(1);
    }

    @Test
    void initRebootNaksWrongNetworkAndSomeoneElsesAddress() throws Exception {
        bindViaDora(null);
        assertThat(handle(request(REQUEST, o -> o.requestedIp(ip("10.0.0.5"))), ON_LAN0).type()).isEqualTo(NAK);
        assertThat(handle(request(REQUEST, o -> o.requestedIp(ip("198.18.0.104"))), ON_LAN0).type()).isEqualTo(NAK);
        DhcpMessage stranger = request(REQUEST, dev.vmaddr.addr.MacAddress.parse("02:00:00:00:00:98"), h -> { },
                o -> o.requestedIp(ip("198.18.0.103")));
        assertThat(handle(stranger, ON_LAN0).type()).isEqualTo(NAK);
    }

    @Test
    void initRebootIsSilentWhenNotAuthoritative() throws Exception {
        DhcpProtocol polite = f.protocol(DhcpServerSettings.DEFAULTS.withAuthoritative(false), ConflictProbe.NONE);
        assertThat(overTheWire(polite, request(REQUEST, o -> o.requestedIp(ip("10.0.0.5"))), ON_LAN0)).isEmpty();
        assertThat(f.events.count("dropped.NOT_AUTHORITATIVE")).isEqualTo(1);
    }

    @Test
    void renewingIsUnicastToCiaddrAndKeepsCiaddr() throws Exception {
        Ipv4Address ip = bindViaDora(null);
        ReceiveContext unicast = ReceiveContext.unicastOn("br-lan0", SERVER, ip);
        Reply ack = handle(request(REQUEST, MAC, h -> h.ciaddr(ip), o -> { }), unicast);
        assertThat(ack.type()).isEqualTo(ACK);
        assertThat(ack.destination()).isEqualTo(ip);
        assertThat(ack.port()).isEqualTo(68);
        assertThat(ack.message().ciaddr()).isEqualTo(ip);
        assertThat(ack.message().yiaddr()).isEqualTo(ip);
    }

    @Test
    void rebindingAcksOwnLeaseAndNaksAStrangersWhenAuthoritative() throws Exception {
        Ipv4Address ip = bindViaDora(null);
        Reply ack = handle(request(REQUEST, MAC, h -> h.ciaddr(ip), o -> { }), ON_LAN0);
        assertThat(ack.type()).isEqualTo(ACK);
        assertThat(ack.destination()).isEqualTo(ip);
        DhcpMessage stranger = request(REQUEST, dev.vmaddr.addr.MacAddress.parse("02:00:00:00:00:97"), h -> h.ciaddr(ip), o -> { });
        Reply nak = handle(stranger, ON_LAN0);
        assertThat(nak.type()).isEqualTo(NAK);
        assertThat(nak.broadcast()).as("NAK with giaddr 0 is broadcast even when ciaddr is set").isTrue();
        DhcpProtocol polite = f.protocol(DhcpServerSettings.DEFAULTS.withAuthoritative(false), ConflictProbe.NONE);
        assertThat(polite.handle(stranger, ON_LAN0)).isEmpty();
    }

    @Test
    void declineQuarantinesTheAddressAndTheNextOfferDiffers() throws Exception {
        Ipv4Address ip = bindViaDora(null);
        assertThat(protocol.handle(request(DECLINE, o -> o.requestedIp(ip).serverId(SERVER)), ON_LAN0)).isEmpty();
        assertThat(f.leases.lease("lan0", ip).orElseThrow().state()).isEqualTo(LeaseState.DECLINED);
        Reply offer = handle(request(DISCOVER, o -> o.requestedIp(ip)), ON_LAN0);
        assertThat(offer.message().yiaddr()).isNotEqualTo(ip);
    }

    @Test
    void releaseFreesTheAddressForAnotherClientInItsTurn() throws Exception {
        Ipv4Address ip = bindViaDora(ip("198.18.0.104"));
        assertThat(protocol.handle(request(RELEASE, MAC, h -> h.ciaddr(ip), o -> o.serverId(SERVER)), ON_LAN0)).isEmpty();
        assertThat(f.events.count("lease.RELEASED")).isEqualTo(1);
        DhcpMessage other = request(DISCOVER, dev.vmaddr.addr.MacAddress.parse("02:00:00:00:00:96"), h -> { },
                o -> o.requestedIp(ip));
        // reuse cooldown (issue 20): while never-used addresses are free, another client's hint for it is not honoured
        assertThat(handle(other, ON_LAN0).message().yiaddr()).isNotEqualTo(ip);
        List<Ipv4Address> next = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            next.add(f.engine.allocate("lan0", dev.vmaddr.ipam.AllocationRequest.of(new dev.vmaddr.addr.MacAddress(0x020000000a00L + i))).ip());
        }
        assertThat(next).as("the never-used addresses first, the released one last").endsWith(ip).doesNotHaveDuplicates();
    }

    @Test
    void informGetsConfigurationWithoutLease() throws Exception {
        Ipv4Address ciaddr = ip("198.18.0.77");
        Reply ack = handle(request(INFORM, MAC, h -> h.ciaddr(ciaddr), o -> o.parameterRequestList(1, 3, 6, 15)),
                ReceiveContext.unicastOn("br-lan0", SERVER, ciaddr));
        DhcpMessage m = ack.message();
        assertThat(ack.type()).isEqualTo(ACK);
        assertThat(m.yiaddr()).isEqualTo(Ipv4Address.ANY);
        assertThat(m.options().leaseTime()).isEmpty();
        assertThat(m.options().renewalTime()).isEmpty();
        assertThat(m.options().routers()).containsExactly(ip("198.18.0.1"));
        assertThat(m.options().domainName()).contains("lab.example");
        assertThat(ack.destination()).isEqualTo(ciaddr);
        assertThat(f.leases.lease("lan0", ciaddr)).isEmpty();
    }

    @Test
    void clientIdKeysTheLeaseButReservationMatchesChaddr() throws Exception {
        Octets id = Octets.parseHex("01" + "0218aa000050");
        DhcpMessage discover = request(DISCOVER, RESERVED_MAC, h -> { }, o -> o.clientId(id).parameterRequestList(1, 3, 12));
        Reply offer = handle(discover, ON_LAN0);
        assertThat(offer.message().yiaddr()).isEqualTo(ip("198.18.0.50"));
        assertThat(offer.message().options().hostname()).contains("db1");
        assertThat(offer.message().options().clientId()).contains(id);
        handle(request(REQUEST, RESERVED_MAC, h -> { }, o -> o.clientId(id).serverId(SERVER).requestedIp(ip("198.18.0.50"))), ON_LAN0);
        assertThat(f.leases.leaseOf("lan0", HolderKey.of(ClientId.of(id.toByteArray(), 0, id.length()), RESERVED_MAC)))
                .isPresent();
        assertThat(f.leases.leaseOf("lan0", HolderKey.of(null, RESERVED_MAC))).isEmpty();
    }

    @Test
    void parameterRequestListDecidesOptionalOptions() throws Exception {
        Reply offer = handle(request(DISCOVER, o -> o.parameterRequestList(1, 6)), ON_LAN0);
        var opts = offer.message().options();
        assertThat(opts.dnsServers()).containsExactly(ip("198.18.0.53"), ip("198.18.0.54"));
        assertThat(opts.contains(OptionCodes.ROUTERS)).isFalse();
        assertThat(opts.contains(OptionCodes.DOMAIN_NAME)).isFalse();
        assertThat(opts.contains(OptionCodes.INTERFACE_MTU)).isFalse();
        assertThat(opts.contains(OptionCodes.LEASE_TIME)).isTrue();

        Reply full = handle(request(DISCOVER, o -> o.parameterRequestList(1, 3, 6, 12, 15, 26, 28, 121).hostname("vm7")), ON_LAN0);
        var all = full.message().options();
        assertThat(all.routers()).containsExactly(ip("198.18.0.1"));
        assertThat(all.mtu()).hasValue(1500);
        assertThat(all.broadcastAddress()).contains(ip("198.18.0.255"));
        assertThat(all.hostname()).contains("vm7");
        assertThat(all.classlessRoutes()).containsExactly(ClasslessRoute.defaultVia(ip("198.18.0.1")));
    }

    @Test
    void relaySelectsNetworkRoutesToGiaddrAndEchoesOption82() throws Exception {
        Octets agent = Octets.parseHex("0106657468302f31" + "0204c6120101");
        DhcpMessage relayed = request(DISCOVER, MAC, h -> h.giaddr(ip("198.18.1.1")).hops(1),
                o -> o.parameterRequestList(1, 3).relayAgentInfo(agent));
        ReceiveContext viaRelay = ReceiveContext.unicastOn("srv0", SERVER, ip("198.18.1.1"));
        Reply offer = handle(relayed, viaRelay);
        assertThat(offer.message().yiaddr()).isEqualTo(ip("198.18.1.100"));
        assertThat(offer.message().options().routers()).containsExactly(ip("198.18.1.1"));
        assertThat(offer.message().options().relayAgentInfo()).contains(agent);
        assertThat(offer.message().giaddr()).isEqualTo(ip("198.18.1.1"));
        assertThat(offer.destination()).isEqualTo(ip("198.18.1.1"));
        assertThat(offer.port()).isEqualTo(67);
        assertThat(offer.interfaceName()).isNull();

        DhcpMessage badRelayed = request(REQUEST, MAC, h -> h.giaddr(ip("198.18.1.1")), o -> o.requestedIp(ip("198.18.0.100")).relayAgentInfo(agent));
        Reply nak = handle(badRelayed, viaRelay);
        assertThat(nak.type()).isEqualTo(NAK);
        assertThat(nak.destination()).isEqualTo(ip("198.18.1.1"));
        assertThat(nak.message().broadcastFlag()).as("NAK via relay sets the broadcast bit").isTrue();
        assertThat(nak.message().options().relayAgentInfo()).contains(agent);
    }

    @Test
    void unknownRelayOrInterfaceIsDropped() {
        assertThat(protocol.handle(request(DISCOVER, MAC, h -> h.giaddr(ip("10.1.1.1")), o -> { }), ON_LAN0)).isEmpty();
        assertThat(protocol.handle(request(DISCOVER, o -> { }), ReceiveContext.broadcastOn("eth9", ip("192.0.2.1")))).isEmpty();
        assertThat(f.events.count("dropped.UNKNOWN_NETWORK")).isEqualTo(2);
    }

    @Test
    void interfaceAddressSelectsNetworkWhenNoBridgeMatches() throws Exception {
        Reply offer = handle(request(DISCOVER, o -> { }), ReceiveContext.broadcastOn("veth0", ip("198.18.1.1")));
        assertThat(offer.message().yiaddr()).isEqualTo(ip("198.18.1.100"));
        assertThat(offer.message().options().serverId()).contains(ip("198.18.1.1"));
    }

    @Test
    void probeConflictMarksTheAddressAndOffersAnother() throws Exception {
        Set<Ipv4Address> probedAddresses = new HashSet<>();
        ConflictProbe probe = (ifname, ip) -> {
            probedAddresses.add(ip);
            return CompletableFuture.completedFuture(ip.equals(ip("198.18.0.100")));
        };
        DhcpProtocol probing = f.protocol(DhcpServerSettings.DEFAULTS, probe);
        Reply offer = overTheWire(probing, request(DISCOVER, o -> { }), ON_LAN0).orElseThrow();
        assertThat(offer.message().yiaddr()).isEqualTo(ip("198.18.0.102"));
        assertThat(f.leases.lease("lan0", ip("198.18.0.100")).orElseThrow().state()).isEqualTo(LeaseState.DECLINED);
        assertThat(f.events.count("probe.conflict")).isEqualTo(1);
        assertThat(probedAddresses).containsExactlyInAnyOrder(ip("198.18.0.100"), ip("198.18.0.102"));

        // the client's own held/bound address is offered again without a probe
        probedAddresses.clear();
        overTheWire(probing, request(REQUEST, o -> o.serverId(SERVER).requestedIp(ip("198.18.0.102"))), ON_LAN0);
        overTheWire(probing, request(DISCOVER, o -> { }), ON_LAN0).orElseThrow();
        assertThat(probedAddresses).isEmpty();
    }

    /** Issue 15 item 9: the answer comes after the timeout and the OFFER; the REQUEST then gets a NAK. */
    @Test
    void aLateProbeAnswerQuarantinesTheOfferedAddressAndTheRequestIsNaked() throws Exception {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        ConflictProbe late = (ifname, ip) -> answer;
        DhcpServerSettings quick = new DhcpServerSettings(true, null, Duration.ofSeconds(30), 3, Duration.ofMillis(1), Duration.ofMinutes(1));
        DhcpProtocol probing = f.protocol(quick, late);
        Reply offer = overTheWire(probing, request(DISCOVER, o -> { }), ON_LAN0).orElseThrow();
        Ipv4Address offered = offer.message().yiaddr();
        answer.complete(true);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (f.events.count("probe.conflict_late") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // the late answer is handled on a thread of its own
        }
        assertThat(f.events.count("probe.conflict_late")).isEqualTo(1);
        assertThat(f.leases.lease("lan0", offered).orElseThrow().state()).isEqualTo(LeaseState.DECLINED);
        Reply nak = overTheWire(probing, request(REQUEST, o -> o.serverId(SERVER).requestedIp(offered)), ON_LAN0).orElseThrow();
        assertThat(nak.type()).isEqualTo(NAK);
    }

    @Test
    void everyCandidateAnsweringTheProbeMeansNoOffer() {
        ConflictProbe allTaken = (ifname, ip) -> CompletableFuture.completedFuture(true);
        DhcpProtocol probing = f.protocol(DhcpServerSettings.DEFAULTS, allTaken);
        assertThat(probing.handle(request(DISCOVER, o -> { }), ON_LAN0)).isEmpty();
        assertThat(f.events.count("probe.conflict")).isEqualTo(3);
        assertThat(f.events.count("dropped.PROBE_CONFLICTS")).isEqualTo(1);
    }

    @Test
    void aFailingOrSilentProbeCountsAsFree() throws Exception {
        ConflictProbe broken = (ifname, ip) -> CompletableFuture.failedFuture(new IllegalStateException("no raw socket"));
        assertThat(overTheWire(f.protocol(DhcpServerSettings.DEFAULTS, broken), request(DISCOVER, o -> { }), ON_LAN0)).isPresent();
        assertThat(f.events.count("probe.failed")).isEqualTo(1);
        DhcpServerSettings quick = new DhcpServerSettings(true, null, Duration.ofSeconds(30), 3, Duration.ofMillis(1), Duration.ofMinutes(1));
        ConflictProbe silent = (ifname, ip) -> new CompletableFuture<>();
        DhcpMessage other = request(DISCOVER, dev.vmaddr.addr.MacAddress.parse("02:00:00:00:00:95"), h -> { }, o -> { });
        assertThat(overTheWire(f.protocol(quick, silent), other, ON_LAN0)).isPresent();
    }

    @Test
    void exhaustedPoolIsDroppedCleanly() {
        for (int i = 0; i < 4; i++) {
            DhcpMessage d = request(DISCOVER, new dev.vmaddr.addr.MacAddress(0x020000000100L + i), h -> { }, o -> { });
            assertThat(protocol.handle(d, ON_LAN0)).isPresent();
        }
        assertThat(protocol.handle(request(DISCOVER, o -> { }), ON_LAN0)).isEmpty();
        assertThat(f.events.count("dropped.EXHAUSTED")).isEqualTo(1);
    }

    @Test
    void repliesAndNonEthernetAndBootpAreIgnored() {
        DhcpMessage reply = DhcpMessage.builder().op(DhcpMessage.BOOTREPLY).mac(MAC)
                .options(dev.vmaddr.dhcp.codec.DhcpOptions.builder().messageType(OFFER).build()).build();
        assertThat(protocol.handle(reply, ON_LAN0)).isEmpty();
        DhcpMessage bootp = DhcpMessage.builder().mac(MAC).build();
        assertThat(protocol.handle(bootp, ON_LAN0)).isEmpty();
        DhcpMessage ib = DhcpMessage.builder().hardware(32, Octets.parseHex("0011"))
                .options(dev.vmaddr.dhcp.codec.DhcpOptions.builder().messageType(DISCOVER).build()).build();
        assertThat(protocol.handle(ib, ON_LAN0)).isEmpty();
        assertThat(f.events.count("dropped.NOT_A_REQUEST") + f.events.count("dropped.NO_MESSAGE_TYPE")
                + f.events.count("dropped.NOT_ETHERNET")).isEqualTo(3);
    }

    @Test
    void hostileHostnameIsSanitised() throws Exception {
        Reply offer = handle(request(DISCOVER, o -> o.hostname("vm7\n event=fake").parameterRequestList(12)), ON_LAN0);
        assertThat(offer.message().options().hostname()).contains("vm7eventfake");
        assertThat(List.of(f.leases.lease("lan0", offer.message().yiaddr()).orElseThrow().hostname())).containsExactly("vm7eventfake");
    }
}
