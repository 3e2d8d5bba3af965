#!/usr/bin/perl
# A login storm for the KdcHa lab: UDP AS-REQs at a KDC as fast as it answers, with at most <window> requests
# outstanding. Every request is the template with a fresh 31-bit nonce written at <nonce-offset> (the template's
# nonce is a 4-byte INTEGER), so MIT's lookaside cache, which replays answers to byte-identical requests, absorbs
# none of them. Replies of any kind count as answered; a window that gets no reply for 100 ms is written off as
# lost, as a client's retransmission timer would.
# Usage: as-req-storm.pl <address> <port> <template-hex> <nonce-offset> <window> <seconds> <out.json>
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($address, $port, $hex, $offset, $window, $seconds, $out) = @ARGV;
die "usage: $0 address port template-hex nonce-offset window seconds out.json\n" unless defined $out;
my $template = pack('H*', $hex);
die "nonce offset out of range\n" if $offset < 0 || $offset + 4 > length($template);

my $socket = IO::Socket::INET->new(PeerAddr => $address, PeerPort => $port, Proto => 'udp', Blocking => 0)
    or die "socket: $!\n";
setsockopt($socket, SOL_SOCKET, SO_RCVBUF, 4 * 1024 * 1024);
my $select = IO::Select->new($socket);
my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };

my ($sent, $answered, $lost, $outstanding) = (0, 0, 0, 0);
my $start = clock_gettime(CLOCK_MONOTONIC);
my $end = $start + $seconds;
my $lastReply = $start;
my $buffer;
while (!$stop) {
    my $now = clock_gettime(CLOCK_MONOTONIC);
    last if $now >= $end;
    while ($outstanding < $window) {
        # The top byte stays in 0x10..0x7f: the INTEGER keeps its 4-byte length and MIT's 31-bit limit.
        substr($template, $offset, 4) = pack('N', 0x10000000 + int(rand(0x6FFFFFFF)));
        last unless defined send($socket, $template, 0);
        $sent++;
        $outstanding++;
    }
    if ($select->can_read(0.05)) {
        while (defined recv($socket, $buffer, 65535, 0)) {
            last if length($buffer) == 0;
            $answered++;
            $outstanding-- if $outstanding > 0;
            $lastReply = clock_gettime(CLOCK_MONOTONIC);
        }
    } elsif (clock_gettime(CLOCK_MONOTONIC) - $lastReply > 0.1) {
        $lost += $outstanding;
        $outstanding = 0;
        $lastReply = clock_gettime(CLOCK_MONOTONIC);
    }
}
my $elapsed = clock_gettime(CLOCK_MONOTONIC) - $start;
open(my $fh, '>', $out) or die "$out: $!\n";
printf {$fh} "{\"Sent\":%d,\"Answered\":%d,\"Lost\":%d,\"Seconds\":%.3f}\n", $sent, $answered, $lost, $elapsed;
close($fh);
