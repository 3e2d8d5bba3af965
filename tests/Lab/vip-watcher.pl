#!/usr/bin/perl
# VIP watcher for the KdcHa test lab.
# Usage: vip-watcher.pl <out.tsv> <vip> <node>=<netns> ...
# Event-driven: one `ip -o monitor address` per namespace, so a transition is stamped when the
# kernel reports it (sub-millisecond) at no polling cost. CLOCK_MONOTONIC is the same clock as
# .NET's Stopwatch on Linux, so PowerShell can subtract fault times from these stamps directly.
# Output (tab separated): mono_ms  utc  node  event(Snapshot|Added|Removed)  holders(comma list)
use strict;
use warnings;
use IO::Select;
use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC CLOCK_REALTIME);

my ($out, $vip, @pairs) = @ARGV;
die "usage: $0 out vip node=netns...\n" unless $out && $vip && @pairs;
my $vip_re = qr/\binet \Q$vip\E\//;

open(my $log, '>>', $out) or die "open $out: $!";
$log->autoflush(1);

my (%holders, %ns_of_fh, @kids);
my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };

sub stamp {
    my $mono = sprintf('%.3f', clock_gettime(CLOCK_MONOTONIC) * 1000);
    my $rt = clock_gettime(CLOCK_REALTIME);
    my $utc = POSIX::strftime('%Y-%m-%dT%H:%M:%S', gmtime($rt)) . sprintf('.%03dZ', ($rt - int($rt)) * 1000);
    return ($mono, $utc);
}

sub record {
    my ($node, $event) = @_;
    my ($mono, $utc) = stamp();
    print {$log} join("\t", $mono, $utc, $node, $event, join(',', sort keys %holders)), "\n";
}

my $sel = IO::Select->new;
# Monitors start before the snapshot so no change can fall between the two.
for my $pair (@pairs) {
    my ($node, $ns) = split /=/, $pair, 2;
    my $pid = open(my $fh, '-|', 'ip', '-n', $ns, '-o', '-4', 'monitor', 'address') or die "ip monitor $ns: $!";
    push @kids, $pid;
    $ns_of_fh{fileno $fh} = [$node, $fh, ''];
    $sel->add($fh);
}
for my $pair (@pairs) {
    my ($node, $ns) = split /=/, $pair, 2;
    my $addrs = `ip -n $ns -o -4 addr show`;
    $holders{$node} = 1 if $addrs =~ $vip_re;
}
record('-', 'Snapshot');

while (!$stop) {
    for my $fh ($sel->can_read(0.2)) {
        my $st = $ns_of_fh{fileno $fh};
        my $n = sysread($fh, my $chunk, 65536);
        if (!$n) { $sel->remove($fh); next; }
        $st->[2] .= $chunk;
        while ($st->[2] =~ s/^([^\n]*)\n//) {
            my $line = $1;
            next unless $line =~ $vip_re;
            if ($line =~ /^Deleted/) { delete $holders{$st->[0]}; record($st->[0], 'Removed'); }
            else { $holders{$st->[0]} = 1; record($st->[0], 'Added'); }
        }
    }
}
# Reap our own children: PID 1 in the lab VM does not, so orphans would linger as zombies.
kill 'TERM', @kids;
waitpid($_, 0) for @kids;
exit 0;
