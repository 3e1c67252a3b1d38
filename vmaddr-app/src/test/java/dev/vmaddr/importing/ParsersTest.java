package dev.vmaddr.importing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Each parser on files in the shape its server writes them, and on broken ones: a malformed line is
 * an {@link ImportFormatException} naming file:line. (Files written by the real servers are read in
 * {@link RealServerImportTest}.)
 */
class ParsersTest {
    static final Instant NOW = Instant.parse("2026-12-06T20:00:00Z");
    static final long LATER = NOW.getEpochSecond() + 3600;
    static final long EARLIER = NOW.getEpochSecond() - 3600;

    static ImportData read(ImportSource source, String... files) throws Exception {
        ImportSource.Reading r = source.reading(NOW);
        for (int i = 0; i < files.length; i++) {
            r.read("f" + i, new BufferedReader(new StringReader(files[i])));
        }
        return r.finish();
    }

    static void assertBroken(ImportSource source, String text, int line, String problem) {
        assertThatThrownBy(() -> read(source, text)).isInstanceOf(ImportFormatException.class)
                .hasMessageStartingWith("f0:" + line + ": ").hasMessageContaining(problem);
    }

    // ---------------------------------------------------------------- dnsmasq

    @Test
    void dnsmasqLeaseFile() throws Exception {
        ImportData d = read(ImportSource.DNSMASQ, LATER + " 52:54:00:00:00:01 198.18.0.11 web1 01:52:54:00:00:00:01\n"
                + LATER + " 52:54:00:00:00:02 198.18.0.12 * *\n"
                + EARLIER + " 52:54:00:00:00:03 198.18.0.13 old *\n"
                + "0 52:54:00:00:00:04 198.18.0.14 forever *\n"
                + "duid 00:01:00:01:2c:00:00:00:52:54:00:00:00:09\n"
                + LATER + " 1234 2001:db8::5 v6host 00:01:00:01:aa\n");
        assertThat(d.leases()).containsExactly(
                new ImportedLease(ip("198.18.0.11"), mac(1), ClientId.parse("01:52:54:00:00:00:01"), "web1", Instant.ofEpochSecond(LATER)),
                new ImportedLease(ip("198.18.0.12"), mac(2), null, null, Instant.ofEpochSecond(LATER)),
                new ImportedLease(ip("198.18.0.14"), mac(4), null, "forever", DnsmasqParser.INFINITE));
        assertThat(d.notes()).anyMatch(n -> n.contains("1 leases had run out")).anyMatch(n -> n.contains("1 DHCPv6"));
    }

    @Test
    void dnsmasqDhcpHostLines() throws Exception {
        ImportData d = read(ImportSource.DNSMASQ, """
                # a dnsmasq.conf
                interface=br0
                dhcp-range=198.18.0.50,198.18.0.150,12h
                dhcp-host=52:54:00:00:00:01,198.18.0.5,db1
                dhcp-host=52:54:00:00:00:02,set:red,198.18.0.6,web,infinite
                dhcp-host=id:01:52:54:00:00:00:03,198.18.0.7
                dhcp-host=id:myclient,198.18.0.8,named
                dhcp-host=52:54:00:00:00:05,nameonly
                dhcp-host=52:54:00:00:00:06,ignore
                bogus-option
                """);
        assertThat(d.hosts()).containsExactly(
                new ImportedHost(mac(1), null, ip("198.18.0.5"), "db1"),
                new ImportedHost(mac(2), null, ip("198.18.0.6"), "web"),
                new ImportedHost(null, ClientId.parse("01:52:54:00:00:00:03"), ip("198.18.0.7"), null),
                new ImportedHost(null, Fields.textClientId("myclient"), ip("198.18.0.8"), "named"));
        assertThat(d.notes()).anyMatch(n -> n.startsWith("f0:5:") && n.contains("set:red") && n.contains("ignored"))
                .anyMatch(n -> n.startsWith("f0:8:") && n.contains("without an IPv4 address"))
                .anyMatch(n -> n.startsWith("f0:9:") && n.contains("ignore"));
    }

    @Test
    void dnsmasqBrokenLines() {
        assertBroken(ImportSource.DNSMASQ, LATER + " 52:54:00:00:00:01 198.18.0.11 a *\n" + LATER + " 52:54:00:00:00:02 198.18.0.12 b\n",
                2, "5 fields");
        assertBroken(ImportSource.DNSMASQ, LATER + " 52:54:00:00:00:01 198.18.0.11 a *\n\n" + LATER + " 52:54:00:zz:00:02 198.18.0.12 b *\n",
                3, "not a MAC");
        assertBroken(ImportSource.DNSMASQ, LATER + " 52:54:00:00:00:01 198.18.300.11 a *\n", 1, "not an IPv4 address");
        assertBroken(ImportSource.DNSMASQ, "soon 52:54:00:00:00:01 198.18.0.11 a *\n".replace("soon", "1x"), 1, "not a number");
        assertBroken(ImportSource.DNSMASQ, "interface=br0\ndhcp-host=52:54:00:00:00:01,198.18.0.999\n", 2, "not an IPv4 address");
        assertBroken(ImportSource.DNSMASQ, "interface=br0\nthis is not = an option\n", 2, "neither a lease line nor a dnsmasq option");
        assertBroken(ImportSource.DNSMASQ, "dhcp-host=52:54:00:00:00:*,198.18.0.9\n", 1, "wildcard");
    }

    // ---------------------------------------------------------------- Kea

    static final String KEA_HEADER = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n";

    @Test
    void keaMemfileTakesTheLatestRowPerAddress() throws Exception {
        String older = KEA_HEADER
                + "198.18.0.20,52:54:00:00:00:01,01:52:54:00:00:00:01,3600," + (LATER - 100) + ",1,0,0,a,0,\n"
                + "198.18.0.21,52:54:00:00:00:02,,3600," + LATER + ",1,0,0,b,0,\n";
        String newer = KEA_HEADER
                + "198.18.0.20,52:54:00:00:00:01,01:52:54:00:00:00:01,3600," + LATER + ",1,0,0,a&#x2cb,0,\n"  // renewed
                + "198.18.0.21,52:54:00:00:00:02,,0," + LATER + ",1,0,0,b,0,\n"                                 // deleted
                + "198.18.0.22,52:54:00:00:00:03,,3600," + LATER + ",1,0,0,c,2,\n"                              // reclaimed
                + "198.18.0.23,52:54:00:00:00:04,,3600," + EARLIER + ",1,0,0,d,0,\n"                            // run out
                + "198.18.0.24,52:54:00:00:00:05,,3600," + LATER + ",1,0,0,,1,\n"                               // declined
                + "198.18.0.25,52:54:00:00:00:06,,3600," + LATER + ",1,0,0,,0,\n";
        ImportData d = read(ImportSource.KEA, older, newer);
        assertThat(d.leases()).containsExactly(
                new ImportedLease(ip("198.18.0.20"), mac(1), ClientId.parse("01:52:54:00:00:00:01"), "a,b", Instant.ofEpochSecond(LATER)),
                new ImportedLease(ip("198.18.0.25"), mac(6), null, null, Instant.ofEpochSecond(LATER)));
        assertThat(d.notes()).anyMatch(n -> n.startsWith("4 addresses"));
    }

    @Test
    void keaConfigReservationsWithEveryKindOfComment() throws Exception {
        ImportData d = read(ImportSource.KEA, """
                // kea-dhcp4.conf
                {
                  # shell comment
                  "Dhcp4": {
                    /* C comment
                       over two lines */
                    "interfaces-config": { "interfaces": [ "srv0" ] },
                    "reservations": [ { "hw-address": "52:54:00:00:00:09", "ip-address": "198.18.0.9" } ],
                    "subnet4": [ {
                      "id": 1, "subnet": "198.18.0.0/24",
                      "pools": [ { "pool": "198.18.0.100 - 198.18.0.200" } ],
                      "reservations": [
                        { "hw-address": "52:54:00:00:00:01", "ip-address": "198.18.0.5", "hostname": "db1" },
                        { "client-id": "01:52:54:00:00:00:02", "ip-address": "198.18.0.6" },
                        { "duid": "00:01:02", "ip-address": "198.18.0.7" },
                        { "hw-address": "52:54:00:00:00:03", "hostname": "noaddress" }
                      ]
                    } ],
                    "shared-networks": [ { "name": "s", "subnet4": [ { "id": 2, "subnet": "198.18.1.0/24",
                      "reservations": [ { "hw-address": "52:54:00:00:00:04", "ip-address": "198.18.1.4" } ] } ] } ]
                  }
                }
                """);
        assertThat(d.hosts()).containsExactly(
                new ImportedHost(mac(9), null, ip("198.18.0.9"), null),
                new ImportedHost(mac(1), null, ip("198.18.0.5"), "db1"),
                new ImportedHost(null, ClientId.parse("01:52:54:00:00:00:02"), ip("198.18.0.6"), null),
                new ImportedHost(mac(4), null, ip("198.18.1.4"), null));
        assertThat(d.notes()).anyMatch(n -> n.startsWith("f0:15:") && n.contains("duid"))
                .anyMatch(n -> n.startsWith("f0:16:") && n.contains("without ip-address"));
    }

    @Test
    void keaBrokenLines() {
        assertBroken(ImportSource.KEA, KEA_HEADER + "198.18.0.20,52:54:00:00:00:01,,3600," + LATER + ",1,0,0,a,0,\n"
                + "198.18.0.21,52:54:00:00:00:02,,3600\n", 3, "columns");
        assertBroken(ImportSource.KEA, KEA_HEADER + "198.18.0.20,52:54:00:00:00:01,,3600,soon,1,0,0,a,0,\n", 2, "expire");
        assertBroken(ImportSource.KEA, KEA_HEADER + "198.18.0.20,52:54:00:00:00:01,nothex,3600,1,1,0,0,a,0,\n", 2, "client_id");
        assertBroken(ImportSource.KEA, "address,hwaddr\n", 1, "no column");
        assertBroken(ImportSource.KEA, "{\n \"Dhcp4\": {\n  \"reservations\": [\n   { \"hw-address\": \"52:54:00:00:00:01\",\n"
                + "     \"ip-address\": \"198.18.0.300\" } ] } }\n", 4, "not an IPv4 address");
        assertBroken(ImportSource.KEA, "{\n \"Dhcp4\": {\n  \"subnet4\": [ { \"id\": 1 \n } } }\n", 4, "not Kea JSON");
    }

    // ---------------------------------------------------------------- ISC dhcpd

    @Test
    void dhcpdLeasesLastBlockPerAddressWins() throws Exception {
        ImportData d = read(ImportSource.DHCPD, """
                # The format of this file is documented in the dhcpd.leases(5) manual page.
                # This lease file was written by isc-dhcp-4.4.3-P1

                # authoring-byte-order entry is generated, DO NOT DELETE
                authoring-byte-order little-endian;

                server-duid "\\000\\001\\000\\001,\\256\\260\\206\\302S\\270H\\230\\302";

                lease 198.18.0.30 {
                  starts 0 2026/12/06 19:00:00;
                  ends 0 2026/12/06 19:10:00;
                  cltt 0 2026/12/06 19:00:00;
                  binding state active;
                  next binding state free;
                  rewind binding state free;
                  hardware ethernet 52:54:00:00:00:01;
                  uid "\\001RT\\000\\000\\000\\001";
                  client-hostname "first";
                }
                lease 198.18.0.31 {
                  starts 0 2026/12/06 19:55:00;
                  ends 0 2026/12/06 21:55:00;
                  binding state active;
                  hardware ethernet 52:54:00:00:00:02;
                }
                lease 198.18.0.30 {
                  starts 0 2026/12/06 19:55:00;
                  ends 0 2026/12/06 20:55:00;
                  tstp 0 2026/12/06 20:55:00;
                  binding state active;
                  next binding state free;
                  hardware ethernet 52:54:00:00:00:01;
                  uid "\\001RT\\000\\000\\000\\001";
                  set vendor-class-identifier = "x";
                  client-hostname "first";
                }
                lease 198.18.0.31 {
                  starts 0 2026/12/06 19:58:00;
                  ends 0 2026/12/06 19:58:00;
                  binding state free;
                  hardware ethernet 52:54:00:00:00:02;
                }
                lease 198.18.0.32 {
                  ends never;
                  binding state active;
                  hardware ethernet 52:54:00:00:00:03;
                  uid 01:52:54:00:00:00:03;
                }
                """);
        assertThat(d.leases()).containsExactly(
                new ImportedLease(ip("198.18.0.30"), mac(1), ClientId.parse("01:52:54:00:00:00:01"), "first",
                        Instant.parse("2026-12-06T20:55:00Z")),
                new ImportedLease(ip("198.18.0.32"), mac(3), ClientId.parse("01:52:54:00:00:00:03"), null, DnsmasqParser.INFINITE));
        assertThat(d.notes()).anyMatch(n -> n.startsWith("1 addresses"));
    }

    @Test
    void dhcpdConfHostsAtAnyDepth() throws Exception {
        ImportData d = read(ImportSource.DHCPD, """
                option domain-name "lab.example";
                default-lease-time 600;
                host top { hardware ethernet 52:54:00:00:00:01; fixed-address 198.18.0.5; }
                subnet 198.18.0.0 netmask 255.255.255.0 {
                  range 198.18.0.100 198.18.0.200;
                  option routers 198.18.0.1;
                  group {
                    use-host-decl-names on;
                    host "in-group" {
                      hardware ethernet 52:54:00:00:00:02;
                      fixed-address 198.18.0.6, 198.18.0.16;
                      option host-name "grouped";
                    }
                  }
                  pool { range 198.18.0.201 198.18.0.210; host pooled { option dhcp-client-identifier 01:52:54:00:00:00:03; fixed-address 198.18.0.7; } }
                }
                shared-network s {
                  subnet 198.18.1.0 netmask 255.255.255.0 { }
                  host dns { hardware ethernet 52:54:00:00:00:04; fixed-address db.example.com; }
                  host dynamic { hardware ethernet 52:54:00:00:00:05; }
                }
                """);
        assertThat(d.hosts()).containsExactly(
                new ImportedHost(mac(1), null, ip("198.18.0.5"), "top"),
                new ImportedHost(mac(2), null, ip("198.18.0.6"), "grouped"),
                new ImportedHost(null, ClientId.parse("01:52:54:00:00:00:03"), ip("198.18.0.7"), "pooled"));
        assertThat(d.notes()).anyMatch(n -> n.contains("2 fixed addresses")).anyMatch(n -> n.contains("DNS name"))
                .anyMatch(n -> n.contains("no fixed-address"));
    }

    @Test
    void dhcpdBrokenLines() {
        assertBroken(ImportSource.DHCPD, "lease 198.18.0.30 {\n  binding state active;\n  hardware ethernet 52:54:00:00:00;\n}\n", 3,
                "not a MAC");
        assertBroken(ImportSource.DHCPD, "lease 198.18.0.30 {\n  ends 0 2026/13/06 19:10:00;\n}\n", 2, "cannot read the time");
        assertBroken(ImportSource.DHCPD, "subnet 198.18.0.0 netmask 255.255.255.0 {\n  host a {\n    hardware ethernet 52:54:00:00:00:01;\n"
                + "    fixed-address 198.18.0.5;\n  }\n", 1, "never closed");
        assertBroken(ImportSource.DHCPD, "host a {\n  hardware ethernet 52:54:00:00:00:01\n  fixed-address 198.18.0.5;\n}\n", 2,
                "hardware ethernet MAC");  // the statement that lacks its ';' is named where it starts
        assertBroken(ImportSource.DHCPD, "option domain-name \"lab;\n", 1, "never ends");
        assertBroken(ImportSource.DHCPD, "}\n", 1, "closes no block");
        assertBroken(ImportSource.DHCPD, "lease 198.18.0.999 {\n}\n", 1, "not an IPv4 address");
    }

    // ---------------------------------------------------------------- libvirt

    @Test
    void libvirtHosts() throws Exception {
        ImportData d = read(ImportSource.LIBVIRT, """
                <network>
                  <name>default</name>
                  <bridge name='virbr0' stp='on' delay='0'/>
                  <ip address='198.18.0.1' netmask='255.255.255.0'>
                    <dhcp>
                      <range start='198.18.0.2' end='198.18.0.254'/>
                      <host mac='52:54:00:00:00:01' name='vm1' ip='198.18.0.5'/>
                      <host mac='52:54:00:00:00:02' ip='198.18.0.6'/>
                      <host mac='52:54:00:00:00:03' name='nameonly'/>
                    </dhcp>
                  </ip>
                  <ip family='ipv6' address='2001:db8::1' prefix='64'>
                    <dhcp><host id='0:3:0:1:0:16:3e:11:22:33' name='v6' ip='2001:db8::5'/></dhcp>
                  </ip>
                </network>
                """);
        assertThat(d.hosts()).containsExactly(new ImportedHost(mac(1), null, ip("198.18.0.5"), "vm1"),
                new ImportedHost(mac(2), null, ip("198.18.0.6"), null));
        assertThat(d.notes()).anyMatch(n -> n.startsWith("f0:9:")).anyMatch(n -> n.startsWith("f0:13:") && n.contains("IPv6"));
    }

    @Test
    void libvirtBrokenLines() {
        assertBroken(ImportSource.LIBVIRT, "<network>\n <ip address='198.18.0.1'>\n  <dhcp>\n   <host mac='52:54:00:00:00' ip='198.18.0.5'/>\n"
                + "  </dhcp>\n </ip>\n</network>\n", 4, "not a MAC");
        assertBroken(ImportSource.LIBVIRT, "<network>\n <ip address='198.18.0.1'>\n  <dhcp>\n   <host mac='52:54:00:00:00:01' ip='198.18.0.5'>\n"
                + "  </dhcp>\n</network>\n", 5, "not XML");
        assertBroken(ImportSource.LIBVIRT, "<domain/>\n", 1, "no <network>");
        assertBroken(ImportSource.LIBVIRT, "<!DOCTYPE network [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n<network>&x;</network>\n", 1,
                "not XML");
    }

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    static MacAddress mac(int n) {
        return new MacAddress(0x525400000000L + n);
    }
}
