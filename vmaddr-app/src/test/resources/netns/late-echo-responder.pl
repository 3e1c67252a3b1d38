#!/usr/bin/perl
# A squatter whose ICMP echo replies come late: answers every echo request after DELAY seconds
# (the first argument). Run in a namespace with net.ipv4.icmp_echo_ignore_all=1, so the kernel's
# own prompt reply is not sent. Perl because perl-base is on every Debian; tc netem is not in
# every kernel. Prints "replied" per answer.
use strict;
use warnings;
use Socket;

my $delay = shift or die "usage: late-echo-responder.pl DELAY_SECONDS\n";
$| = 1;
socket(my $sock, PF_INET, SOCK_RAW, 1) or die "socket: $!\n";
print "listening\n";
while (1) {
    my $from = recv($sock, my $packet, 65535, 0);
    next unless defined $from;
    my $ihl = (ord(substr($packet, 0, 1)) & 15) * 4;
    my $icmp = substr($packet, $ihl);
    next unless length($icmp) >= 8 && ord(substr($icmp, 0, 1)) == 8;
    select(undef, undef, undef, $delay);
    my $reply = "\0\0\0\0" . substr($icmp, 4);
    my $data = length($reply) % 2 ? $reply . "\0" : $reply;
    my $sum = 0;
    $sum += $_ for unpack("n*", $data);
    $sum = ($sum >> 16) + ($sum & 0xffff);
    $sum += $sum >> 16;
    substr($reply, 2, 2) = pack("n", ~$sum & 0xffff);
    send($sock, $reply, 0, $from) or warn "send: $!\n";
    print "replied\n";
}
