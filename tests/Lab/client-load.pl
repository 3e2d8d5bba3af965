#!/usr/bin/perl
# Client load for the KdcHa test lab: real kinit at a fixed rate.
# Usage (inside the client namespace): client-load.pl <out.tsv> <rate/s> <principal>
# Password comes from KDCHA_LOAD_PASSWORD; KRB5_CONFIG/KRB5CCNAME from the environment.
# Attempts are started on a fixed schedule whether or not earlier ones finished, so a stalled
# KDC shows up as long or failed attempts instead of silently lowering the rate.
# Output (tab separated): seq  start_mono_ms  start_utc  exit_code  duration_ms
use strict;
use warnings;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC CLOCK_REALTIME usleep);

my ($out, $rate, $principal) = @ARGV;
die "usage: $0 out rate principal\n" unless $out && $rate && $rate > 0 && $principal;
my $password = $ENV{KDCHA_LOAD_PASSWORD} // '';
my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };

sub mono { clock_gettime(CLOCK_MONOTONIC) }

sub attempt {
    my ($seq) = @_;
    my $t0 = mono();
    my $rt = clock_gettime(CLOCK_REALTIME);
    my $utc = POSIX::strftime('%Y-%m-%dT%H:%M:%S', gmtime($rt)) . sprintf('.%03dZ', ($rt - int($rt)) * 1000);
    open(STDOUT, '>', '/dev/null');    # the password prompt
    my $rc;
    if (open(my $k, '|-', 'kinit', $principal)) {
        print {$k} "$password\n";
        close($k);
        $rc = ($? & 127) ? 128 + ($? & 127) : $? >> 8;
    } else { $rc = 127; }
    my $ms = (mono() - $t0) * 1000;
    # One write per line with O_APPEND keeps concurrent attempts from interleaving.
    open(my $fh, '>>', $out) or exit 1;
    syswrite($fh, sprintf("%d\t%.3f\t%s\t%d\t%.3f\n", $seq, $t0 * 1000, $utc, $rc, $ms));
    close($fh);
}

my %kids;
my $period = 1 / $rate;
my $next = mono();
my $seq = 0;
while (!$stop) {
    my $now = mono();
    if ($now >= $next) {
        $seq++;
        my $pid = fork();
        if (defined $pid && $pid == 0) { $SIG{TERM} = 'DEFAULT'; attempt($seq); POSIX::_exit(0); }
        $kids{$pid} = 1 if $pid;
        $next += $period;
        $next = $now + $period if $next < $now;    # never burst to catch up after a stall of our own
    }
    while ((my $done = waitpid(-1, WNOHANG)) > 0) { delete $kids{$done}; }
    my $wait = $next - mono();
    usleep(($wait > 0.05 ? 0.05 : ($wait > 0 ? $wait : 0)) * 1_000_000);
}
# Let in-flight attempts finish: their durations are the stall measurement.
while (%kids) {
    my $done = waitpid(-1, 0);
    last if $done <= 0;
    delete $kids{$done};
}
exit 0;
