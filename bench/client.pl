#!/usr/bin/perl
# Measuring clients for the targets wrk cannot measure.  Both print
# key=value lines for bench/run.sh.
#
#   client.pl stream PORT PATH ACCEPT WORKER_PID
#       One GET, read as fast as possible, counting rows (occurrences of
#       "remote_data": work for the JSON envelope and NDJSON alike, chunked
#       or not), the absolute time of the first body byte, and the worker's
#       VmRSS sampled every ~5 ms from before the request to after the end.
#
#   client.pl fairness PORT BIG_PATH SMALL_PATH
#       Times SMALL_PATH alone (baseline), then starts BIG_PATH on another
#       connection (a child reads it) and times SMALL_PATH back to back,
#       one request at a time, until the big answer is complete.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);
use POSIX qw(WNOHANG);

sub rss_kb {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)/ }
    return 0;
}

sub connect_to {
    my $port = shift;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp')
        or die "connect 127.0.0.1:$port: $!\n";
    return $s;
}

sub request {
    my ($path, $accept) = @_;
    return "GET $path HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: $accept\r\n"
         . "Connection: close\r\n\r\n";
}

# bounds, so that a stuck server ends the run instead of hanging it
my $IDLE_TIMEOUT  = 30;          # seconds without a byte
my $TOTAL_TIMEOUT = 180;         # seconds for the big or the stream request

# one small request, start to last byte; returns (seconds, status)
sub timed_get {
    my ($port, $path) = @_;
    my $t0 = time;
    my $buf = '';
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm $IDLE_TIMEOUT;
        my $s = connect_to($port);
        print $s request($path, 'application/json');
        1 while sysread($s, $buf, 65536, length $buf);
        alarm 0;
    };
    alarm 0;
    my ($status) = $buf =~ m{^HTTP/1\.[01] (\d+)};
    return (time - $t0, $status // 0);
}

sub stream {
    my ($port, $path, $accept, $pid) = @_;
    my $rss0 = rss_kb($pid);
    my ($peak, $last_sample) = ($rss0, 0);
    my $s = connect_to($port);
    my $sel = IO::Select->new($s);
    my $t_send = time;
    print $s request($path, $accept);

    my ($head, $t_first, $bytes, $rows, $tail, $status) = ('', 0, 0, 0, '', 0);
    my $first = '';                      # the start of the body, for errors
    my $in_body = 0;
    my $last_data = $t_send;
    while (1) {
        my $now = time;
        if ($now - $last_data > $IDLE_TIMEOUT || $now - $t_send > $TOTAL_TIMEOUT) {
            $status = 'timeout';
            last;
        }
        if ($sel->can_read(0.005)) {
            $last_data = time;
            my $n = sysread($s, my $buf, 262144);
            last unless $n;
            unless ($in_body) {          # headers: find their end
                $head .= $buf;
                my $i = index($head, "\r\n\r\n");
                next if $i < 0;
                ($status) = $head =~ m{^HTTP/1\.[01] (\d+)};
                $buf = substr($head, $i + 4);
                $in_body = 1;
                next unless length $buf;
            }
            $t_first ||= time;
            $first .= substr($buf, 0, 200 - length $first) if length $first < 200;
            $bytes += length $buf;
            # count rows across read boundaries
            my $scan = $tail . $buf;
            $rows += () = $scan =~ /"remote_data":/g;
            $tail = substr($scan, -15);
            $tail =~ s/.*"remote_data"://s;   # do not count one twice
        }
        $now = time;
        if ($now - $last_sample >= 0.005) {
            my $r = rss_kb($pid);
            $peak = $r if $r > $peak;
            $last_sample = $now;
        }
    }
    my $t_end = time;
    # the worker may still hold memory for an instant after the last byte
    for (1 .. 20) {
        my $r = rss_kb($pid);
        $peak = $r if $r > $peak;
        sleep 0.005;
    }
    printf "status=%s\nrows=%d\nbytes=%d\nt_send=%.6f\nt_first=%.6f\n"
         . "t_end=%.6f\nrss_before_kb=%d\nrss_peak_kb=%d\nrss_after_kb=%d\n",
           $status || 0, $rows, $bytes, $t_send, $t_first, $t_end,
           $rss0, $peak, rss_kb($pid);
    $first =~ s/[\r\n]+/ /g;
    print "body_head=$first\n";
}

sub pct {
    my ($p, @v) = @_;
    return 0 unless @v;
    @v = sort { $a <=> $b } @v;
    return $v[int($p * $#v + 0.5)];
}

sub fairness {
    my ($port, $big, $small) = @_;
    my @base;
    for (1 .. 20) {
        my ($t, $st) = timed_get($port, $small);
        die "small request answered $st\n" unless $st == 200;
        push @base, $t;
    }

    pipe(my $r, my $w) or die "pipe: $!";
    my $child = fork // die "fork: $!";
    if (!$child) {                       # the big request, read to the end
        close $r;
        alarm $TOTAL_TIMEOUT;            # ends this child if the server hangs
        my $t0 = time;
        my $s = connect_to($port);
        print $s request($big, 'application/json');
        syswrite $w, "go\n";
        my ($buf, $bytes, $head) = ('', 0, '');
        while (my $n = sysread($s, $buf, 1 << 20)) {
            $head = substr($buf, 0, 64) if $bytes == 0;
            $bytes += $n;
        }
        my ($st) = $head =~ m{^HTTP/1\.[01] (\d+)};
        printf $w "big_status=%s\nbig_bytes=%d\nbig_seconds=%.3f\n",
                  $st // 0, $bytes, time - $t0;
        close $w;
        exit 0;
    }
    close $w;
    my $go = <$r>;                       # the big request has been sent

    my (@lat, $errors);
    $errors = 0;
    while (waitpid($child, WNOHANG) == 0) {
        my ($t, $st) = timed_get($port, $small);
        push @lat, $t;
        $errors++ unless $st == 200;
    }
    local $/;
    print scalar <$r>;
    printf "baseline_p50_ms=%.1f\nsmall_n=%d\nsmall_errors=%d\n"
         . "small_p50_ms=%.1f\nsmall_max_ms=%.1f\n",
           1000 * pct(0.5, @base), scalar @lat, $errors,
           1000 * pct(0.5, @lat), 1000 * pct(1, @lat);
}

my $cmd = shift // '';
if    ($cmd eq 'stream'   && @ARGV == 4) { stream(@ARGV) }
elsif ($cmd eq 'fairness' && @ARGV == 3) { fairness(@ARGV) }
else {
    die "usage: $0 stream PORT PATH ACCEPT WORKER_PID\n"
      . "       $0 fairness PORT BIG_PATH SMALL_PATH\n";
}
