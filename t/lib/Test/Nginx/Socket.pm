package Test::Nginx::Socket;

# A Test::Nginx::Socket-compatible test runner (a compatible subset of
# openresty/test-nginx, written from scratch) built on Test::Base.
#
#   use Test::Nginx::Socket 'no_plan';      # or tests => N, or plan later
#   repeat_each(2); no_shuffle();
#   run_tests();
#   __DATA__
#   === TEST 1: name
#   --- config / --- request / --- response_body / --- no_error_log ...
#
# Each block gets its own nginx (fresh start, stopped with QUIT at the end
# of the block), or, with TEST_NGINX_USE_HUP=1, one master per file that is
# reconfigured with SIGHUP between blocks. TEST_NGINX_USE_VALGRIND=1 runs
# nginx under memcheck and fails the block on any valgrind error.
#
# Sections: main_config http_config config post_main_config user_files init
# request (string, or eval'd arrayref of requests or of packet arrays)
# raw_request raw_request_middle_delay pipelined_requests more_headers
# timeout wait abort shutdown ignore_response log_level must_die
# error_code error_code_like response_headers (K: v / !K)
# response_headers_like raw_response_headers_like/_unlike response_body
# (string or qr//) response_body_like/_unlike error_log no_error_log
# grep_error_log grep_error_log_out shutdown_error_log no_shutdown_error_log
# access_log no_access_log skip_eval skip_nginx; Test::Base's ONLY SKIP LAST
# and filters (eval, chomp...). Others (no_check_leak...) are ignored.
#
# Environment: TEST_NGINX_BINARY, _SERVROOT, _SERVER_PORT, _CLIENT_PORT,
# _LOG_LEVEL, _TIMEOUT, _SLEEP, _LOAD_MODULES, _NO_CLEAN, _NO_SHUFFLE,
# _VERBOSE, _USE_HUP, _USE_VALGRIND, _VALGRIND_SUPPRESS, _CAPTURE_DIR (ours:
# every response and error.log line appended there); $TEST_NGINX_*
# in config, user_files, request, more_headers and expected response
# sections comes from %ENV, $TEST_NGINX_RAND_PORT_<n> is a free port.
#
# Deliberately stricter than upstream (all reported as TAP failures):
#  * [alert]/[crit]/[emerg], "exited on signal", assertion/sanitizer lines in
#    the block's error.log fail it unless --- error_log expects them (or the
#    block is must_die);
#  * nginx dying during a block, crashing or hanging at shutdown, valgrind
#    errors, truncated bodies and stray bytes after a response fail it;
#  * a block with two sections of which upstream checks only the first
#    (response_body with response_body_like or _unlike, response_body_like
#    with response_body_unlike, response_headers with
#    response_headers_like) is a runner error, so that no check passes here
#    that upstream would skip.

use strict;
use warnings;

use Test::Base -base;    # lowercase -base: no Spiffy source filter
use Test::Nginx::Util;
use Test::LongString ();
use Text::Diff ();
use HTTP::Headers ();
use IO::Socket::INET ();
use IO::Select ();
use List::Util qw(shuffle max);
use Scalar::Util qw(looks_like_number);
use Time::HiRes qw(sleep time);

our $VERSION = '0.29';

our @EXPORT = (qw(
    run_tests run_test repeat_each no_shuffle no_long_string log_level
    master_on master_off master_process_enabled workers worker_connections
    no_root_location env_to_nginx timeout server_port server_port_for_client
    server_addr server_name html_dir server_root add_block_preprocessor
    is_str bail_out use_hup add_cleanup_handler add_response_body_check
    ), qw($ServerPort $ServRoot $ServerPortForClient $ServerAddr
    $NginxBinary $NginxVersion));

our @CleanupHandlers;
our @ResponseBodyChecks;
our $PrevServer;         # server sections of the previous block
our @BlockLog;           # every error.log line of the current block
our $IsLastBlock;

sub use_hup () { $Test::Nginx::Util::UseHup = 1 }
sub add_cleanup_handler ($) { unshift @CleanupHandlers, shift }
sub add_response_body_check ($) { push @ResponseBodyChecks, shift }

# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

sub run_tests () {
    if (my $err = probe_nginx()) {
        Test::More::fail("$0 - nginx binary unusable: $err");
        return;
    }
    $ENV{TEST_NGINX_SERVER_PORT} //= $ServerPort;
    $ENV{TEST_NGINX_CLIENT_PORT} //= $ServerPortForClient;
    kill_stale_nginx();

    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $NoShuffle;
    my $last;
    for my $i (0 .. $#blocks) {
        my $block = $blocks[$i];
        $_->($block) for @BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        $IsLastBlock = $i == $#blocks;
        $last = $block;
        # A runner error (bad section, undefined $TEST_NGINX_X...) fails
        # this block only; the next block starts from a clean state.
        if (!eval { run_test($block); 1 }) {
            (my $err = $@) =~ s/^\Q${\ $block->name} - \E//;
            Test::More::fail($block->name . " - test runner error: $err");
            stop_and_check($block, ' (stopping nginx after the runner error)')
                if $NginxPid;
        }
    }

    # HUP mode: the master lived through the whole file.
    if ($NginxPid && !$ENV{TEST_NGINX_NO_CLEAN} && $last) {
        my $lines = stop_and_check($last, ' (final nginx shutdown)');
        strict_log_check($last, [@$lines, splice @OldWorkerLines],
                         ' (final nginx shutdown)');
    }
    $_->() for @CleanupHandlers;
}

sub run_test ($) {
    my ($block) = @_;
    my $name = $block->name;
    @BlockLog = ();

    # upstream checks only the first section of each pair (elsif)
    for my $pair ([qw(response_body response_body_like)],
                  [qw(response_body response_body_unlike)],
                  [qw(response_body_like response_body_unlike)],
                  [qw(response_headers response_headers_like)])
    {
        my ($first, $second) = @$pair;
        die "$name - --- $second is not checked by the CPAN Test::Nginx "
            . "when --- $first is given: use one of them\n"
            if defined $block->$first && defined $block->$second;
    }

    if (my $skip = block_skip($block)) {
        SKIP: { Test::More::skip("$name - $skip->[1]", $skip->[0]) }
        return;
    }

    my $must_die = $block->must_die;
    my $valgrind = $UseValgrind && !defined $must_die;
    my $hup = $UseHup && !defined $must_die;

    # Upstream keeps the previous nginx running for a block without
    # --- config; we rebuild the previous block's server instead.
    my $srv;
    if (!defined $block->config && $PrevServer) {
        $srv = $PrevServer;
    } else {
        my $rp = {};
        $srv = { rand_ports => $rp, user_files => scalar $block->user_files };
        for my $s (qw(main_config http_config config post_main_config)) {
            $srv->{$s} = expand_env_in_text(scalar($block->$s) // '', $name, $rp);
        }
    }
    $PrevServer = $srv;

    my $level = $block->log_level // $LogLevel;
    $level =~ s/^\s+|\s+$//g;
    my %conf = (
        %$srv,
        log_level => $level,
        # valgrind watches one process unless HUP mode needs a master
        master => $hup ? 'on' : $valgrind ? 'off' : $MasterProcessEnabled,
    );

    if ($hup && $NginxHup && $NginxPid) {
        return unless hup_reload($block, $srv, \%conf);
    } else {
        if ($NginxPid) {    # e.g. the HUP master before a must_die block
            my $lines = stop_and_check($block, ' (stopping the previous nginx)');
            strict_log_check($block, $lines, ' (stopping the previous nginx)');
        }
        return unless fresh_start($block, $srv, \%conf, $must_die, $valgrind, $hup);
    }

    if (defined(my $init = $block->init)) {
        eval "package main; no strict; $init; 1" or die "init failed: $@";
    }

    for my $rep (0 .. $RepeatEach - 1) {
        write_user_files($block, $srv->{user_files}, $srv->{rand_ports}) if $rep;
        run_requests($block, $srv->{rand_ports}, $rep);
    }
    finish_block($block);
}

# "--- skip_nginx: 2: < 1.21.0" and "--- skip_eval: 2: $ENV{FOO}" as upstream.
sub block_skip {
    my ($block) = @_;
    my $name = $block->name;
    if (defined(my $s = $block->skip_nginx)) {
        $s =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*(\d+)\.(\d+)\.(\d+)\s*(?::\s*(.*?))?\s*$/
            or die "$name - Invalid --- skip_nginx spec: $s\n";
        my ($n, $op, $reason) = ($1, $2, $6);
        my $v = sprintf "%d.%03d%03d", $3, $4, $5;
        my $hit = $op eq '<' ? $NginxVersion < $v : $op eq '<=' ? $NginxVersion <= $v
                : $op eq '>' ? $NginxVersion > $v : $NginxVersion >= $v;
        return [$n, $reason || "nginx version $op $3.$4.$5"] if $hit;
    }
    if (defined(my $s = $block->skip_eval)) {
        $s =~ /^\s*(\d+)\s*:\s*(.*)$/s or die "$name - Invalid --- skip_eval spec: $s\n";
        my $n = $1;
        my $hit = eval "package main; no strict; $2";
        die "$name - skip_eval - failed to eval the Perl code: $@" if $@;
        return [$n, 'skip_eval'] if $hit;
    }
    return undef;
}

# ---------------------------------------------------------------------------
# Starting, reloading and stopping nginx for a block
# ---------------------------------------------------------------------------

# A non-debug error.log entry (debug entries may span several lines).
sub is_log_entry { return $_[0] =~ m{^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(?!debug\])} }

sub diag_startup_output {
    my $out = read_file_text($StderrFile);
    Test::More::diag("nginx stderr:\n$out") if $out =~ /\S/;
    my @log = grep { is_log_entry($_) } split /^/, read_file_text($ErrLogFile);
    splice @log, 0, @log - 30 if @log > 30;
    Test::More::diag("error.log (non-debug lines, last 30):\n" . join '', @log) if @log;
}

sub fresh_start {
    my ($block, $srv, $conf, $must_die, $valgrind, $hup) = @_;
    my $name = $block->name;
    setup_server_root(0);
    unlink $StderrFile;
    write_user_files($block, $srv->{user_files}, $srv->{rand_ports});
    $conf->{version} = $hup ? gen_version() : undef;
    write_config_file($conf);

    if (port_is_open($ServerPort)) {
        Test::More::fail("$name - port $ServerPort is already in use by another "
                         . "process, cannot start nginx");
        return 0;
    }
    if (defined $must_die) {
        run_must_die($block, $must_die);
        return 0;
    }

    nginx_start(valgrind => $valgrind);
    $Test::Nginx::Util::NginxHup = $hup;
    my $wait = $valgrind ? 30 : 10;
    my ($up, $st) = nginx_wait_listening($wait);
    return 1 if $up;

    Test::More::fail("$name - nginx failed to start: "
        . (defined $st ? describe_status($st)
                       : "port $ServerPort not accepting after $wait s"));
    diag_startup_output();
    stop_and_check($block, ' (failed start)') if $NginxPid;
    return 0;
}

sub gen_version { return join '', map { ('a' .. 'z', 0 .. 9)[rand 36] } 1 .. 12 }

sub hup_reload {
    my ($block, $srv, $conf) = @_;
    my $name = $block->name;
    # Logs survive reloads: the block's slice starts before the HUP, so it
    # includes the new workers' start-up (and old workers' shutdown).
    $ErrLogPos = (-s $ErrLogFile) || 0;
    setup_server_root(1);
    write_user_files($block, $srv->{user_files}, $srv->{rand_ports});
    $conf->{version} = gen_version();
    write_config_file($conf);
    my $err = nginx_hup_reload($conf->{version});
    return 1 unless defined $err;

    Test::More::fail("$name - HUP reload failed: $err");
    my $lines = read_error_log_slice();
    push @BlockLog, @$lines;
    my @bad = grep { /\[(?:emerg|alert|crit|error)\]/ } @$lines;
    Test::More::diag("error.log:\n" . join '', @bad) if @bad;
    stop_and_check($block, ' (after the failed reload)') if $NginxPid;
    return 0;
}

# Stops our nginx (if still running) and reports how it ended: a crash
# (signal), a non-zero exit, a hang on QUIT, valgrind errors. Returns the
# error.log lines written since the last check (the shutdown part).
sub stop_and_check {
    my ($block, $what) = @_;
    $what //= '';
    my $name = $block->name;
    my ($st, $hung);
    if (nginx_is_alive()) {
        my $secs = 10 * $SlowFactor;
        ($st, $hung) = nginx_stop($secs);
        Test::More::fail("$name - nginx did not exit within $secs s after "
                         . "SIGQUIT and was killed$what") if $hung;
    } else {
        $st = $Test::Nginx::Util::LastStatus;
        Test::More::fail("$name - nginx exited unexpectedly during the test "
                         . "block: " . describe_status($st) . $what);
        diag_startup_output();
        undef $st;    # reported already
    }
    if (defined $st && !$hung && $st != 0) {
        Test::More::fail("$name - nginx ended with " . describe_status($st)
                         . " on SIGQUIT$what");
        diag_startup_output();
    }
    my $lines = read_error_log_slice();
    push @BlockLog, @$lines;
    check_valgrind($block, $what);
    return $lines;
}

sub check_valgrind {
    my ($block, $what) = @_;
    return unless $UseValgrind;
    my $report = valgrind_new_errors();
    return if $report eq '';
    Test::More::fail($block->name . " - valgrind reported errors$what");
    Test::More::diag($report);
}

# End of a normal block: stop nginx (unless it serves the next block in
# HUP mode), then the shutdown log checks and the strict log check.
sub finish_block {
    my ($block) = @_;
    my $name = $block->name;
    if ($NginxHup || ($ENV{TEST_NGINX_NO_CLEAN} && $IsLastBlock)) {
        if (!nginx_is_alive()) {
            Test::More::fail("$name - the nginx master exited unexpectedly: "
                . describe_status($Test::Nginx::Util::LastStatus));
            diag_startup_output();
        }
        push @BlockLog, @{ read_error_log_slice() };
        check_valgrind($block, '');    # reports of exited (old) workers
        # old workers shutting down must not crash or alert either
        strict_log_check($block, [splice @OldWorkerLines],
                         ' (workers of the previous configuration)');
        # as upstream: one skipped test per pattern
        for my $sec (qw(shutdown_error_log no_shutdown_error_log)) {
            my $n = () = pattern_list(scalar $block->$sec);
            SKIP: { Test::More::skip("$name - $sec - nginx is not stopped in "
                                     . "this mode", $n) if $n }
        }
    } else {
        my $lines = stop_and_check($block);
        check_log_patterns($block, $lines, 'shutdown_error_log',
                           'no_shutdown_error_log', '');
    }
    strict_log_check($block, \@BlockLog, '');
}

# must_die: nginx has to fail to start; --- error_log lines are matched
# against its stderr and error.log.
sub run_must_die {
    my ($block, $must_die) = @_;
    my $name = $block->name;
    for my $rep (0 .. $RepeatEach - 1) {
        unlink $StderrFile;
        nginx_start(valgrind => 0);
        # A config error exits at once; bind() retries take nginx ~2.5 s.
        my $deadline = time + max(5, $Timeout);
        my $st;
        while (time < $deadline) {
            last if defined($st = Test::Nginx::Util::nginx_reap());
            sleep 0.02;
        }
        my $stderr = read_file_text($StderrFile);
        if (!defined $st) {
            Test::More::fail("$name - die as expected (nginx is still running)");
            nginx_stop(5);
        } elsif ($st & 127) {
            Test::More::fail("$name - nginx crashed instead of exiting: "
                             . describe_status($st));
            diag_startup_output();
        } elsif (($st >> 8) == 127 && $stderr =~ /^failed to execute/m) {
            Test::More::fail("$name - failed to execute the nginx command line: $stderr");
        } elsif (looks_like_number($must_die)) {
            Test::More::is($st >> 8, $must_die, "$name - die with the expected exit code");
        } else {
            Test::More::isnt($st, 0, "$name - die as expected");
        }
        my $lines = read_error_log_slice();
        push @$lines, split /^/, $stderr;
        check_error_log($block, $rep, $lines);
    }
}

# ---------------------------------------------------------------------------
# Error log checks
# ---------------------------------------------------------------------------

# Section value -> list of patterns: text is one substring per line; an
# eval'ed value may be a qr// or an arrayref of strings and qr//s.
sub pattern_list {
    my ($pats) = @_;
    return () unless defined $pats;
    return ($pats) if ref $pats eq 'Regexp';
    return grep { defined } @$pats if ref $pats eq 'ARRAY';
    chomp(my $s = $pats);
    return split /\n+/, $s;
}

sub line_matches {
    my ($line, $pat) = @_;
    return ref $pat ? $line =~ $pat : index($line, $pat) >= 0;
}

sub fmt_str {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

sub check_log_patterns {
    my ($block, $lines, $want_sec, $unwant_sec, $suffix) = @_;
    my $name = $block->name;
    my $file = $want_sec =~ /access/ ? 'access.log' : 'error.log';

    my @missing;
    for my $pat (pattern_list(scalar $block->$want_sec)) {
        if (grep { line_matches($_, $pat) } @$lines) {
            Test::More::pass("$name - pattern \"$pat\" matches a line in $file$suffix");
        } else {
            Test::More::fail("$name - pattern \"$pat\" should match a line in $file$suffix");
            push @missing, $pat;
        }
    }
    if (@missing) {
        my @ctx = grep { is_log_entry($_) } @$lines;
        splice @ctx, 0, @ctx - 20 if @ctx > 20;
        Test::More::diag("non-debug lines of $file for this check (last 20):\n"
                         . join '', @ctx) if @ctx;
    }

    for my $pat (pattern_list(scalar $block->$unwant_sec)) {
        my ($i) = grep { line_matches($lines->[$_], $pat) } 0 .. $#$lines;
        if (defined $i) {
            Test::More::fail("$name - pattern \"" . fmt_str($pat) . "\" should not "
                . "match any line in $file but matches line \""
                . fmt_str($lines->[$i]) . "\"$suffix");
            my $end = $i + 10 < $#$lines ? $i + 10 : $#$lines;
            Test::More::diag(join '', @$lines[$i + 1 .. $end]) if $end > $i;
        } else {
            Test::More::pass("$name - pattern \"" . fmt_str($pat)
                             . "\" does not match a line in $file$suffix");
        }
    }
}

# $lines: the error.log part of this check (read now unless given).
sub check_error_log {
    my ($block, $rep, $lines) = @_;
    my $name = $block->name;
    if (!$lines) {
        $lines = read_error_log_slice();
        push @BlockLog, @$lines;
    }
    my $suffix = " (req $rep)";

    my $gpat = $block->grep_error_log;
    if (defined $gpat) {
        $gpat = $gpat->[$rep] if ref $gpat eq 'ARRAY';
        my $expected = $block->grep_error_log_out;
        die "$name - No --- grep_error_log_out defined but --- grep_error_log is defined\n"
            unless defined $expected;
        $expected = $expected->[$rep] if ref $expected eq 'ARRAY';
        my $got = '';
        for my $line (@$lines) {
            my $m;
            if (ref $gpat) { $m = $& if $line =~ $gpat }
            elsif (index($line, $gpat) >= 0) { $m = $gpat }
            $got .= "$m\n" if defined $m && $m !~ /\n/;
        }
        is_str($got, $expected, "$name - grep_error_log_out$suffix");
    } elsif (defined $block->grep_error_log_out) {
        die "$name - No --- grep_error_log defined but --- grep_error_log_out is defined\n";
    }

    check_log_patterns($block, $lines, 'error_log', 'no_error_log', $suffix);

    # as upstream, the access log is checked only with a parsed response
    if (!defined $block->ignore_response
        && (defined $block->access_log || defined $block->no_access_log))
    {
        sleep sleep_time();
        my @acc = split /^/, read_file_text($AccLogFile);
        check_log_patterns($block, \@acc, 'access_log', 'no_access_log', $suffix);
    }
}

# Stricter than upstream (which only warns): unexpected high-severity or
# crash lines fail the block. A line is expected when an --- error_log /
# --- shutdown_error_log pattern matches it, or (as upstream's exemption)
# when --- error_log mentions its level, e.g. "[alert".
sub strict_log_check {
    my ($block, $lines, $what) = @_;
    return if defined $block->must_die;
    my @expected = map { pattern_list(scalar $block->$_) } qw(error_log shutdown_error_log);
    my @bad;
    for my $line (@$lines) {
        my $crash = $line =~ /exited on signal|\bAssertion .* failed|Sanitizer|runtime error:/;
        my ($lvl) = $line =~ /\[(alert|crit|emerg)\]/;
        next unless $crash || $lvl;
        next if grep { line_matches($line, $_) } @expected;
        next if !$crash && grep { !ref && index($_, "[$lvl") >= 0 } @expected;
        push @bad, $line;
    }
    return unless @bad;
    Test::More::fail($block->name . " - unexpected [alert]/[crit]/[emerg] or crash "
                     . "lines in error.log$what");
    splice @bad, 20 if @bad > 20;
    Test::More::diag(join '', @bad);
}

# ---------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------

sub more_headers_for {
    my ($block, $i, $rp) = @_;
    my $mh = $block->more_headers // '';
    if (ref $mh eq 'ARRAY') {
        $mh = $mh->[$i];
        die $block->name . " - --- more_headers lacks data for request $i\n"
            unless defined $mh;
    }
    $mh = expand_env_in_text($mh, $block->name, $rp);
    my ($out, $chunked) = ('', 0);
    for my $line (split /\n+/, $mh) {
        next if $line =~ /^\s*#/ || $line !~ /\S/;
        my ($k, $v) = split /:\s*/, $line, 2;
        $v //= '';
        $chunked = 1 if lc $k eq 'transfer-encoding' && $v eq 'chunked';
        $out .= "$k: $v\r\n";
    }
    return ($out, $chunked);
}

sub is_head { return $_[0] =~ /^\s*HEAD\s/ ? 1 : 0 }

# Turns "METHOD [uri [HTTP/x.y]]\n[body]" (possibly split into packets)
# into a full request: default uri "/" and HTTP/1.1, Host/Connection
# headers unless given, more_headers, Content-Length for a trimmed body.
# Packet boundaries are carried over to the matching place of the result.
sub build_request {
    my ($name, $packets, $hdr, $chunked, $conn) = @_;
    my @in = map { ref $_ eq 'HASH' ? { %$_ } : { value => $_ } } @$packets;
    my $full = join '', map { $_->{value} // '' } @in;

    $full =~ /\A(\s*)(\S+)([ \t]*)(?:(\S+)([ \t]*))?(?:(\S+)([ \t]*))?(\r?\n|\z)/
        or die "$name - Request line is not valid. Should be 'meth [url "
             . "[version]]' but got \"$full\".\n";
    my @old = ($1, $2, $3, $4 // '', $5 // '', $6 // '', ($7 // '') . $8);
    my ($meth, $url, $ver) = ($2, $4 // '/', $6 // 'HTTP/1.1');
    push @old, substr $full, $+[0];
    my $content = $old[-1];

    my $len_hdr = '';
    if (!$chunked && $content ne '' && $hdr !~ /(?:^|\n)Content-Length:/i) {
        $content =~ s/^\s+|\s+$//gs;
        $len_hdr = 'Content-Length: ' . length($content) . "\r\n";
    }
    my $headers = '';
    $headers .= "Host: $ServerName\r\n" if $hdr !~ /(?:^|\n)Host:/i;
    $headers .= "Connection: $conn\r\n" if $hdr !~ /(?:^|\n)Connection/i;
    $headers .= "$hdr$len_hdr\r\n";
    my @new = ('', $meth, ' ', $url, ' ', $ver, "\r\n$headers", $content);
    my $req = join '', @new;
    return [{ value => $req }] if @in == 1;

    # map each original packet end into the same region of the new text
    my (@cuts, $off);
    for my $p (@in[0 .. $#in - 1]) {
        $off += length $p->{value};
        my ($os, $ns) = (0, 0);
        for my $r (0 .. $#old) {
            if ($off < $os + length $old[$r] || $r == $#old) {
                my $d = $off - $os;
                $d = length $new[$r] if $d > length $new[$r];
                push @cuts, $ns + $d;
                last;
            }
            $os += length $old[$r];
            $ns += length $new[$r];
        }
    }
    my $prev = 0;
    for my $i (0 .. $#in) {
        my $end = $i < $#in ? max($cuts[$i], $prev) : length $req;
        $in[$i]{value} = substr $req, $prev, $end - $prev;
        $prev = $end;
    }
    return \@in;
}

# Returns (\@requests, $n_pipelined). A request is { packets => [...],
# heads => [HEAD? per response expected] }.
sub build_requests {
    my ($block, $rp) = @_;
    my $name = $block->name;
    my $expand = sub {
        my $v = shift;
        return ref $v eq 'HASH' ? { %$v, value => expand_env_in_text($v->{value}, $name, $rp) }
             : expand_env_in_text($v, $name, $rp);
    };

    if (defined(my $raw = $block->raw_request)) {
        my @pk = map { my $x = $expand->($_); ref $x ? $x : { value => $x } }
                 ref $raw eq 'ARRAY' ? @$raw : ($raw);
        my $text = join '', map { $_->{value} } @pk;
        return ([{ packets => \@pk, heads => [is_head($text)] }], 0);
    }

    if (defined(my $pl = $block->pipelined_requests)) {
        die "$name - invalid entries in --- pipelined_requests\n" unless ref $pl eq 'ARRAY';
        my ($all, @heads) = ('');
        for my $i (0 .. $#$pl) {
            my ($hdr, $chunked) = more_headers_for($block, $i, $rp);
            my $r = build_request($name, [$expand->($pl->[$i])], $hdr, $chunked,
                                  $i == $#$pl ? 'close' : 'keep-alive');
            $all .= $r->[0]{value};
            push @heads, is_head($r->[0]{value});
        }
        return ([{ packets => [{ value => $all }], heads => \@heads }], scalar @$pl);
    }

    my $request = $block->request;
    die "$name - request empty (no --- request, --- raw_request or "
        . "--- pipelined_requests)\n" unless defined $request;
    my @list;
    if (!ref $request) {
        # leading blank lines and "# comment" lines are ignored
        1 while $request =~ s/^\s*#[^\n]*\n// || $request =~ s/^\s+//;
        @list = ([$request]);
    } elsif (ref $request eq 'ARRAY') {
        @list = map { ref $_ eq 'ARRAY' ? $_ : [$_] } @$request;
    } else {
        die "$name - invalid --- request: must be a string or an array of requests\n";
    }
    my @reqs;
    for my $i (0 .. $#list) {
        my ($hdr, $chunked) = more_headers_for($block, $i, $rp);
        my $pk = build_request($name, [map { $expand->($_) } @{ $list[$i] }],
                               $hdr, $chunked, 'close');
        push @reqs, { packets => $pk,
                      heads => [is_head(join '', map { $_->{value} } @$pk)] };
    }
    return (\@reqs, 0);
}

# Sends one request and reads until the server closes the connection.
# Returns ($raw_response, $timed_out).
sub send_request {
    my ($block, $req, $timeout) = @_;
    my $name = $block->name;
    local $SIG{PIPE} = 'IGNORE';

    my ($sock, $err);
    for my $try (1 .. 10) {
        $sock = IO::Socket::INET->new(
            PeerAddr => $ServerAddr, PeerPort => $ServerPortForClient,
            Proto => 'tcp', Timeout => $timeout,
        ) and last;
        $err = $!;
        last if $NginxPid && !nginx_is_alive();    # no point in retrying
        sleep 0.05 * $try;
    }
    if (!$sock) {
        Test::More::fail("$name - Can't connect to $ServerAddr:$ServerPortForClient: $err");
        return ('', 0);
    }
    $sock->blocking(0);

    my @packets = @{ $req->{packets} };
    my $delay = parse_time($block->raw_request_middle_delay);
    my ($wbuf, $woff, $resp, $timed_out) = (shift(@packets)->{value}, 0, '', 0);
    my $writing = 1;
    my $sel = IO::Select->new($sock);
    while (1) {
        my ($r, $w) = IO::Select->select($sel, $writing ? $sel : undef, undef, $timeout);
        if (!$r && !$w) {
            next if $!{EINTR};
            $timed_out = 1;
            last;
        }
        if ($w && @$w) {
            my $n = syswrite $sock, $wbuf, length($wbuf) - $woff, $woff;
            if (!defined $n) {
                # the server may answer (413...) and close before the body
                # is sent; keep reading what it says
                $writing = 0 unless $!{EAGAIN} || $!{EWOULDBLOCK};
            } elsif (($woff += $n) >= length $wbuf) {
                if (my $p = shift @packets) {
                    my $d = $p->{delay_before} // $delay;
                    sleep $d if $d;
                    ($wbuf, $woff) = ($p->{value}, 0);
                } else {
                    $writing = 0;
                    if (defined(my $sd = $block->shutdown)) {
                        shutdown $sock, ($sd =~ /^\s*$/ ? 1 : $sd);
                    }
                }
            }
        }
        if ($r && @$r) {
            my $n = sysread $sock, my $buf, 65536;
            if (!defined $n) {
                next if $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR};
                warn "WARNING: $name - HTTP response read failure: $!\n";
                last;
            }
            last if $n == 0;
            $resp .= $buf;
        }
    }
    close $sock;
    if ($timed_out && !defined $block->abort) {
        Test::More::fail("ERROR: client socket timed out - $name\n");
    }
    warn "!!! resp: [$resp]\n" if $Verbose;
    return ($resp, $timed_out);
}

# ---------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------

# Parses one response off the front of $raw. Returns { code, raw_headers,
# headers (HTTP::Headers), body, left (bytes after it), problems [...] }.
sub parse_response {
    my ($raw, $head) = @_;
    my %r = (code => undef, raw_headers => '', headers => HTTP::Headers->new,
             body => '', left => '', problems => []);
    return \%r if $raw eq '';
    my $rest;
    if ($raw =~ /\A(.*?\r?\n)\r?\n/s) {
        $r{raw_headers} = $1;
        $rest = substr $raw, $+[0];
    } else {
        push @{ $r{problems} }, 'incomplete response header';
        ($r{raw_headers}, $rest) = ($raw, '');
    }
    my ($status, @lines) = split /\r?\n/, $r{raw_headers};
    if ($status =~ m{^HTTP/\d+\.\d+\s+(\d{3})\b}) {
        $r{code} = $1;
    } else {
        push @{ $r{problems} }, 'bad status line "' . fmt_str($status) . '"';
    }
    for (@lines) {
        $r{headers}->push_header($1, $2) if /^([^:\s]+)\s*:\s*(.*?)\s*$/;
    }

    my $code = $r{code} // 0;
    my $te = $r{headers}->header('Transfer-Encoding') // '';
    my $cl = $r{headers}->header('Content-Length');
    if ($code == 101) {
        $r{body} = $rest;
    } elsif ($head || $code == 204 || $code == 304 || $code =~ /^1/) {
        $r{left} = $rest;
    } elsif ($te =~ /\bchunked\b/i) {
        decode_chunked(\%r, $rest);
    } elsif (defined $cl && $cl =~ /^\s*(\d+)\s*$/) {
        my $len = $1;
        push @{ $r{problems} }, "response body truncated: $len bytes expected, "
            . "got " . length($rest) if length($rest) < $len;
        $r{body} = substr $rest, 0, $len;
        $r{left} = length($rest) > $len ? substr($rest, $len) : '';
    } else {
        $r{body} = $rest;    # delimited by the connection close
    }
    return \%r;
}

# De-chunks; on a missing last chunk the body is what arrived.
sub decode_chunked {
    my ($r, $rest) = @_;
    my ($p, $len, $body) = (0, length $rest, '');
    while (1) {
        pos($rest) = $p;
        if ($rest =~ /\G([0-9A-Fa-f]+)[ \t]*(?:;[^\r\n]*)?\r\n/gc) {
            my $size = hex $1;
            $p = pos $rest;
            if ($size == 0) {
                if ($rest =~ /\G(?:[^\r\n]+\r\n)*\r\n/gc) {    # trailers
                    $r->{left} = substr $rest, pos $rest;
                } else {
                    push @{ $r->{problems} }, 'chunked response ends in the trailer';
                }
                last;
            }
            $body .= substr $rest, $p, $size;
            if ($len - $p < $size) {
                push @{ $r->{problems} }, 'no last chunk found: chunked response '
                    . "truncated in a $size-byte chunk";
                last;
            }
            $p += $size;
            if (substr($rest, $p, 2) ne "\r\n") {
                push @{ $r->{problems} }, $p >= $len
                    ? 'no last chunk found: chunked response truncated'
                    : 'invalid chunked data received (expected CRLF after chunk data)';
                last;
            }
            $p += 2;
        } elsif ($p >= $len) {
            push @{ $r->{problems} }, 'no last chunk found: chunked response truncated';
            last;
        } else {
            push @{ $r->{problems} }, 'invalid chunked body received: "'
                . fmt_str(substr $rest, $p, 40) . '"';
            last;
        }
    }
    $r->{body} = $body;
}

sub run_requests {
    my ($block, $rp, $rep) = @_;
    my $name = $block->name;
    my ($reqs, $npipe) = build_requests($block, $rp);
    my $need_array = $npipe ? 1 : @$reqs > 1;
    my $timeout = (parse_time($block->timeout) // $Timeout) * $SlowFactor;
    my $wait = parse_time($block->wait);

    for my $i (0 .. $#$reqs) {
        my ($raw) = send_request($block, $reqs->[$i], $timeout);
        my ($line) = ($reqs->[$i]{packets}[0]{value} // '') =~ /\A([^\r\n]*)/;
        capture('responses', "=== $name\n>>> $line\n$raw\n")
            if defined $block->ignore_response;
        my $heads = $reqs->[$i]{heads};
        my $n = $npipe || 1;
        for my $j (0 .. $n - 1) {
            my $idx = $npipe ? $j : $i;
            if (!defined $block->ignore_response) {
                my $res = parse_response($raw, $heads->[$j]);
                $raw = $res->{left};
                # the body de-chunked: a secret may not span chunk frames
                capture('responses', "=== $name\n>>> $line\n"
                                     . "$res->{raw_headers}\n$res->{body}\n");

                Test::More::fail("$name - $_ (repeated req $rep, req $idx)")
                    for @{ $res->{problems} };
                if ($j == $n - 1 && $raw ne '') {
                    Test::More::fail("$name - unexpected extra bytes after the "
                        . "response: \"" . fmt_str(substr $raw, 0, 200) . '"');
                }
                check_response($block, $res, $idx, $rep, $need_array);
            }
            # upstream checks the log after every response but the last one
            # too (each check sees the lines since the previous one)
            if ($j < $n - 1 || $i < $#$reqs) {
                sleep $wait if $wait;
                check_error_log($block, $rep);
            }
        }
    }
    sleep $wait if $wait;
    check_error_log($block, $rep);
}

# With several requests every expectation must be an array, as upstream.
sub indexed {
    my ($block, $sec, $idx, $need_array) = @_;
    my $v = $block->$sec;
    if ($need_array) {
        die $block->name . " - You asked for many requests, the expected "
            . "results should be arrays as well (--- $sec).\n" unless ref $v eq 'ARRAY';
        return $v->[$idx];
    }
    return ref $v eq 'ARRAY' ? $v->[0] : $v;
}

sub expand_expected {
    my ($block, $v) = @_;
    return $v if !defined $v || ref $v;
    $v =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
    $v =~ s/\$ServerPort\b/$ServerPort/g;
    return expand_env_in_text($v, $block->name, $PrevServer->{rand_ports});
}

sub is_body {
    my ($got, $expected, $desc) = @_;
    my $ok = $NoLongString ? Test::More::is($got, $expected, $desc)
                           : Test::LongString::is_string($got, $expected, $desc);
    if (!$ok && defined $got && defined $expected
        && ($got =~ /\n./ || $expected =~ /\n./))
    {
        Test::More::diag("diff (- expected, + got):\n" . Text::Diff::diff(
            \$expected, \$got, { STYLE => 'Unified' }));
    }
    return $ok;
}

sub check_response {
    my ($block, $res, $idx, $rep, $need_array) = @_;
    my $name = $block->name;
    my $code = $res->{code} // '';

    my $ok;
    if (defined $block->error_code_like) {
        my $pat = indexed($block, 'error_code_like', $idx, $need_array);
        $ok = Test::More::like($code, qr/$pat/sm, "$name - status code ok");
    } elsif (defined $block->error_code) {
        $ok = Test::More::is($code, indexed($block, 'error_code', $idx, $need_array),
                             "$name - status code ok");
    } else {
        $ok = Test::More::is($code, 200, "$name - status code ok");
    }
    if (!$ok) {
        my $b = substr $res->{body}, 0, 500;
        Test::More::diag("response header:\n$res->{raw_headers}\nresponse body:\n$b");
    }

    for my $kind (qw(like unlike)) {
        my $sec = "raw_response_headers_$kind";
        next unless defined $block->$sec;
        my $pat = expand_expected($block, indexed($block, $sec, $idx, $need_array));
        no strict 'refs';
        &{"Test::More::$kind"}($res->{raw_headers}, qr/$pat/s, "$name - raw resp headers $kind");
    }

    # "K: v" (exact; "K:" also matches an absent header, as upstream),
    # "!K" (absent) / "K: regex" for response_headers_like
    for my $sec (qw(response_headers response_headers_like)) {
        next unless defined $block->$sec;
        my $spec = indexed($block, $sec, $idx, $need_array) // '';
        for my $line (split /\n/, $spec) {
            $line =~ s/^\s+|\s+$//g;
            next if $line eq '';
            if ($sec eq 'response_headers' && $line =~ s/^!\s*//) {
                # header names are case-insensitive (upstream: case-sensitive)
                Test::More::unlike($res->{raw_headers}, qr/^\s*\Q$line\E\s*:/mi,
                                   "$name - header $line not present in the raw headers");
                next;
            }
            my ($key, $val) = split /\s*:\s*/, $line, 2;
            $val = expand_expected($block, $val // '');
            my $got = $res->{headers}->header($key) // '';
            if ($sec eq 'response_headers') {
                Test::More::is($got, $val, "$name - header $key ok");
            } else {
                Test::More::like($got, qr/^$val$/, "$name - header $key like ok");
            }
        }
    }

    my $body = $res->{body};
    my $tag = "(repeated req $rep, req $idx)";
    if (defined $block->response_body) {
        my $exp = expand_expected($block, indexed($block, 'response_body', $idx, $need_array));
        if (ref $exp) {
            Test::More::like($body, $exp, "$name - response_body - like $tag");
        } else {
            is_body($body, $exp, "$name - response_body - response is expected $tag");
        }
    }
    for my $kind (qw(like unlike)) {
        my $sec = "response_body_$kind";
        next unless defined $block->$sec;
        my $pat = expand_expected($block, indexed($block, $sec, $idx, $need_array));
        my $summary = trim($body) // '';
        $summary = substr($summary, 0, 77) . '...' if length $summary > 80;
        no strict 'refs';
        &{"Test::More::$kind"}($body, qr/$pat/s,
                               "$name - response_body_$kind - response is expected ($summary)");
    }
    $_->($block, $body, $idx, $rep, 0) for @ResponseBodyChecks;
}

1;
