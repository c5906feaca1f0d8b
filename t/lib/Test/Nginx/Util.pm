package Test::Nginx::Util;

# Server-side half of our Test::Nginx-compatible runner: settings, the
# server root, nginx.conf generation, $TEST_NGINX_* expansion, and the
# nginx process lifecycle (start / HUP / stop / valgrind reports).
#
# Written from scratch for this project; it mirrors the observable
# behaviour of openresty/test-nginx (Test::Nginx::Util), not its code.
# See Socket.pm for the request/response side and the block runner.

use strict;
use warnings;

use Exporter 'import';
use File::Spec ();
use File::Path qw(make_path remove_tree);
use IO::Socket::INET ();
use IO::Select ();
use POSIX qw(:sys_wait_h SIGQUIT SIGKILL SIGHUP);
use Time::HiRes qw(sleep time);
use Test::More ();
use Test::LongString ();

our $VERSION = '0.29';    # the upstream version whose behaviour we follow

# ---------------------------------------------------------------------------
# Settings (environment first, then the setter functions below)
# ---------------------------------------------------------------------------

our $Verbose        = $ENV{TEST_NGINX_VERBOSE};
our $UseValgrind    = $ENV{TEST_NGINX_USE_VALGRIND};
our $UseHup         = $ENV{TEST_NGINX_USE_HUP};
our $Timeout        = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $TestNginxSleep = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $LogLevel       = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $LoadModules    = $ENV{TEST_NGINX_LOAD_MODULES};
our $NoShuffle      = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $Workers           = 1;
our $WorkerConnections = 64;
our $RepeatEach        = 1;
our $NoRootLocation    = 0;
our $NoLongString;
our $ServerAddr = '127.0.0.1';
our $ServerName = 'localhost';
our $ServerPort = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
our @EnvToNginx;
our @BlockPreprocessors;

# Timeouts are multiplied by this under valgrind.
our $SlowFactor = $UseValgrind ? 3 : 1;

our $NginxBinary = $ENV{TEST_NGINX_BINARY} || default_binary();

our $ServRoot = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT} || 't/servroot');
our $LogDir     = "$ServRoot/logs";
our $ErrLogFile = "$LogDir/error.log";
our $AccLogFile = "$LogDir/access.log";
our $StderrFile = "$LogDir/stderr.log";    # nginx's own stdout/stderr
our $HtmlDir    = "$ServRoot/html";
our $ConfDir    = "$ServRoot/conf";
our $ConfFile   = "$ConfDir/nginx.conf";
our $PidFile    = "$LogDir/nginx.pid";

$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
# As upstream, $TEST_NGINX_HTML_DIR is not set: a .t file that uses it
# sets it itself ($ENV{TEST_NGINX_HTML_DIR} = html_dir();), so that it runs
# under the CPAN Test::Nginx as well.

# Facts about the nginx binary, filled by probe_nginx().
our ($NginxVersion, $NginxRawVersion, $NginxConfigureArgs);

# State of the nginx we run.
our $NginxPid;           # our direct child: the only process, or the master
our $NginxHup;           # true when $NginxPid is a long-lived HUP-mode master
our $ErrLogPos = 0;      # error.log offset already handed to checks
our %ValgrindSeen;       # valgrind log file => bytes already reported
our $LastStatus;         # wait status of the last nginx we reaped
our $VerPort;            # HUP mode: port of the /ver side server
our %OldWorkers;         # HUP mode: pids of workers of older configurations
our @OldWorkerLines;     # ... and the error.log lines they wrote

# Ours: with TEST_NGINX_CAPTURE_DIR set, every response, error.log line,
# nginx.conf and user file is appended to <dir>/<test file>.responses,
# .error_log, .conf and .files, for checks over the whole suite
# (t/check-secrets.pl).
our $CaptureDir = $ENV{TEST_NGINX_CAPTURE_DIR};

our @EXPORT = qw(
    $ServerAddr $ServerName $ServerPort $ServerPortForClient
    $ServRoot $HtmlDir $LogDir $ErrLogFile $AccLogFile $StderrFile
    $ConfFile $PidFile $NginxBinary $NginxVersion $NginxRawVersion
    $NoLongString $RepeatEach $NoShuffle $LogLevel $UseValgrind $UseHup
    $Verbose $Timeout $SlowFactor @BlockPreprocessors $MasterProcessEnabled
    $NginxPid $NginxHup $ErrLogPos $LastStatus @OldWorkerLines
    repeat_each no_shuffle no_long_string log_level master_on master_off
    master_process_enabled workers worker_connections no_root_location
    env_to_nginx timeout server_port server_port_for_client server_addr
    server_name html_dir server_root add_block_preprocessor is_str
    sleep_time verbose parse_time trim bail_out
    probe_nginx expand_env_in_text setup_server_root write_user_files
    write_config_file nginx_start nginx_wait_listening nginx_stop
    nginx_is_alive nginx_hup_reload kill_stale_nginx port_is_open
    read_error_log_slice read_file_text valgrind_new_errors
    describe_status cleanup capture
);

# ---------------------------------------------------------------------------
# Setters / getters exported to .t files (same names as upstream)
# ---------------------------------------------------------------------------

sub repeat_each { $RepeatEach = shift if @_; return $RepeatEach }
sub no_shuffle () { $NoShuffle = 1 }
sub no_long_string () { $NoLongString = 1 }
sub log_level { $LogLevel = shift if @_; return $LogLevel }
sub master_on () { $MasterProcessEnabled = 'on' }
sub master_off () { $MasterProcessEnabled = 'off' }
sub master_process_enabled {
    $MasterProcessEnabled = $_[0] ? 'on' : 'off' if @_;
    return $MasterProcessEnabled;
}
sub workers { $Workers = shift if @_; return $Workers }
sub worker_connections { $WorkerConnections = shift if @_; return $WorkerConnections }
sub no_root_location () { $NoRootLocation = 1 }
sub timeout { $Timeout = shift if @_; return $Timeout }
sub sleep_time { return $TestNginxSleep }
sub verbose { return $Verbose }
sub html_dir () { return $HtmlDir }
sub server_root () { return $ServRoot }
sub server_addr { $ServerAddr = shift if @_; return $ServerAddr }
sub server_name { $ServerName = shift if @_; return $ServerName }

sub server_port {
    if (@_) {
        $ServerPort = shift;
        # Unlike upstream, the client port follows unless explicitly set.
        $ServerPortForClient = $ServerPort unless $ENV{TEST_NGINX_CLIENT_PORT};
    }
    return $ServerPort;
}

sub server_port_for_client {
    $ServerPortForClient = shift if @_;
    return $ServerPortForClient;
}

sub env_to_nginx {
    die "env_to_nginx: no arguments specified\n" unless @_;
    for my $v (@_) {
        die "env_to_nginx: bad argument value: $v\n"
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }

sub is_str {
    my ($got, $expected, $desc) = @_;
    return Test::More::like($got, $expected, $desc)
        if ref $expected && ref $expected eq 'Regexp';
    return Test::More::is($got, $expected, $desc) if $NoLongString;
    return Test::LongString::is_string($got, $expected, $desc);
}

# "500ms" -> 0.5, "3s" -> 3, "2" -> 2
sub parse_time {
    my $tm = shift;
    return undef unless defined $tm;
    $tm =~ s/^\s+|\s+$//g;
    return $1 / 1000 if $tm =~ /^([\d.]+)ms$/;
    return $1 if $tm =~ /^([\d.]+)s?$/;
    return $tm;
}

sub trim {
    my $s = shift;
    return undef unless defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\s+/ /g;
    return $s;
}

sub bail_out {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

sub default_binary {
    for my $dir (split /:/, $ENV{PATH} || '') {
        return 'nginx' if $dir ne '' && -x "$dir/nginx" && !-d "$dir/nginx";
    }
    return -x '/usr/sbin/nginx' ? '/usr/sbin/nginx' : 'nginx';
}

# Runs "nginx -V" once; returns an error message (undef when fine).
sub probe_nginx {
    return undef if defined $NginxVersion;
    # a broken binary must fail, not hang the suite
    my $pid = open(my $fh, '-|') // return "cannot fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        open STDIN, '<', '/dev/null';
        { no warnings 'exec'; exec { $NginxBinary } $NginxBinary, '-V'; }
        print "$!\n";
        POSIX::_exit(127);
    }
    my $out = eval {
        local $SIG{ALRM} = sub { die "timed out after 30 s\n" };
        alarm 30;
        local $/;
        my $o = <$fh>;
        alarm 0;
        $o;
    };
    if (!defined $out) {
        kill SIGKILL, $pid;
        close $fh;
        return "\"$NginxBinary -V\" $@";
    }
    close $fh;
    my $st = $?;
    if (!defined $out || $st != 0) {
        return "cannot run the nginx binary \"$NginxBinary\" (set "
             . "TEST_NGINX_BINARY or PATH): " . describe_status($st)
             . (defined $out && $out ne '' ? ": $out" : '');
    }
    if ($out !~ m{nginx/(\d+)\.(\d+)\.(\d+)}) {
        return "cannot parse the output of \"$NginxBinary -V\": $out";
    }
    $NginxRawVersion = "$1.$2.$3";
    $NginxVersion = sprintf "%d.%03d%03d", $1, $2, $3;
    $NginxConfigureArgs = $out =~ /configure arguments:(.*)/ ? $1 : '';
    return undef;
}

# ---------------------------------------------------------------------------
# $TEST_NGINX_* expansion
# ---------------------------------------------------------------------------

# Picks a free loopback port below the usual ephemeral range (so it does
# not collide with our own client sockets).
sub gen_rand_port {
    my ($used) = @_;
    for (1 .. 1000) {
        my $port = 10000 + int rand 22000;
        next if $used->{$port} || $port == $ServerPort;
        my $sock = IO::Socket::INET->new(
            LocalAddr => $ServerAddr, LocalPort => $port, Proto => 'tcp',
            ReuseAddr => 1, Listen => 1,
        ) or next;
        close $sock;
        return $port;
    }
    die "cannot find a free port for \$TEST_NGINX_RAND_PORT_*\n";
}

# $rand_ports is per block, so a port is stable across all its sections.
sub expand_env_in_text {
    my ($text, $name, $rand_ports) = @_;
    return undef unless defined $text;
    $rand_ports ||= {};
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        my $val;
        if ($var =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
            $val = $rand_ports->{$var};
            if (!defined $val) {
                my %used = map { $_ => 1 } values %$rand_ports;
                $val = $rand_ports->{$var} = gen_rand_port(\%used);
            }
        } else {
            $val = $ENV{$var};
            die "$name - No environment $var defined.\n" unless defined $val;
        }
        $val;
    }ge;
    return $text;
}

# ---------------------------------------------------------------------------
# Server root, user files, nginx.conf
# ---------------------------------------------------------------------------

# Recreates conf/ and html/ (and logs/ unless $keep_logs). Only known
# sub-directories are removed so a mis-set TEST_NGINX_SERVROOT cannot wipe
# unrelated data.
sub setup_server_root {
    my ($keep_logs) = @_;
    remove_tree($ConfDir, $HtmlDir);
    if (!$keep_logs) {
        remove_tree($LogDir, glob("$ServRoot/*_temp"), glob("$ServRoot/*_cache"));
        %ValgrindSeen = ();
        %OldWorkers = ();
        $ErrLogPos = 0;
    }
    for my $d ($ServRoot, $LogDir, $HtmlDir, $ConfDir) {
        next if -d $d;
        make_path($d) or die "Failed to create directory $d: $!\n";
    }
    open my $out, '>', "$HtmlDir/index.html"
        or die "Can't open $HtmlDir/index.html for writing: $!\n";
    print $out '<html><head><title>It works!</title></head><body>It works!</body></html>';
    close $out;
}

# --- user_files: ">>> path [touch-date]" lines followed by the file body;
# relative paths live under the html dir. An eval'ed arrayref of
# [name, body, date] triples is accepted too.
sub write_user_files {
    my ($block, $files, $rand_ports) = @_;
    return unless defined $files && $files ne '';
    my $name = $block->name;
    if (!ref $files) {
        my @list;
        for my $line (split /^/, $files) {
            if ($line =~ /^>>> (\S+)(?:\s+(.+?))?\s*$/) {
                push @list, [$1, '', $2];
            } elsif (@list) {
                $list[-1][1] .= $line;
            }
        }
        $files = \@list;
    } elsif (ref $files ne 'ARRAY') {
        die "$name - --- user_files must be a string or an ARRAY ref\n";
    }
    for my $f (@$files) {
        my ($fname, $body, $date) = @$f;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        (my $dir = $path) =~ s{/[^/]*$}{};
        make_path($dir) unless -d $dir;
        $body = expand_env_in_text($body // '', $name, $rand_ports);
        open my $out, '>', $path or die "$name - Cannot open $path for writing: $!\n";
        binmode $out;
        print $out $body;
        close $out;
        capture('files', ">>> $path\n$body\n<<< $path\n");
        if ($date) {
            local $ENV{TZ} = 'GMT';
            system('touch', '-t', $date, $path) == 0
                or die "$name - touch -t '$date' $path failed\n";
        }
    }
}

sub has_module {
    my ($mod) = @_;
    return ($NginxConfigureArgs // '') !~ /--without-$mod\b/;
}

# %$c: main_config http_config config post_main_config (already expanded),
# log_level, master ('on'/'off'), version (HUP mode only).
sub write_config_file {
    my ($c) = @_;
    my $main = '';
    $main .= "user root;\n" if $> == 0;    # workers must read the servroot
    for my $v (@EnvToNginx) {
        $main .= 'env ' . ($v =~ /\s/ ? "'$v'" : $v) . ";\n";
    }
    for my $m (grep { length } split /\s+/, $LoadModules // '') {
        $main .= "load_module $m;\n";
    }

    my $temp = "    client_body_temp_path $ServRoot/client_body_temp;\n";
    for my $t (qw(proxy fastcgi uwsgi scgi)) {
        next unless has_module("http_${t}_module");
        $temp .= "    ${t}_temp_path $ServRoot/${t}_temp;\n";
    }

    my $root_loc = $NoRootLocation ? '' : <<"_EOC_";
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_

    # HUP mode: a side server answers /ver so we can tell when the workers
    # of the new configuration are serving (upstream uses the same trick on
    # the test port; a port and log of its own keep these probes out of the
    # block's error.log).
    $VerPort ||= gen_rand_port({}) if defined $c->{version};
    my $ver_server = !defined $c->{version} ? '' : <<"_EOC_";
    server {
        listen          $ServerAddr:$VerPort;
        server_name     'Test-Nginx';
        error_log       $LogDir/hup-ver.log $c->{log_level};
        access_log      off;
        location = /ver {
            return 200 '$c->{version}';
        }
    }
_EOC_

    my $conf = <<"_EOC_";
worker_processes  $Workers;
daemon off;
master_process $c->{master};
error_log $ErrLogFile $c->{log_level};
pid       $PidFile;
$main
$c->{main_config}

events {
    accept_mutex off;
    worker_connections  $WorkerConnections;
}

http {
    access_log $AccLogFile;
$temp
    default_type text/plain;
    keepalive_timeout  68;

$c->{http_config}

    server {
        listen          $ServerPort;
        server_name     '$ServerName';

        client_max_body_size 30M;

        # Begin test case config...
$c->{config}
        # End test case config.

$root_loc    }
$ver_server}

$c->{post_main_config}
_EOC_

    open my $out, '>', $ConfFile or die "Can't open $ConfFile for writing: $!\n";
    print $out $conf;
    close $out;
    capture('conf', "=== $ConfFile\n$conf\n");
}

# ---------------------------------------------------------------------------
# nginx processes
# ---------------------------------------------------------------------------

sub describe_status {
    my ($st) = @_;
    return 'could not execute' if !defined $st || $st == -1;
    return 'killed by signal ' . ($st & 127) . (($st & 128) ? ' (core dumped)' : '')
        if $st & 127;
    return 'exit code ' . ($st >> 8);
}

sub valgrind_cmd {
    my @cmd = ('valgrind', '-q', '--tool=memcheck', '--leak-check=full',
        '--show-leak-kinds=definite,indirect,possible',
        '--errors-for-leak-kinds=definite,indirect',
        '--num-callers=30', '--gen-suppressions=all',
        "--log-file=$LogDir/valgrind.%p.log");
    # Known leaks of the nginx core itself, shipped with the runner.
    (my $core_supp = $INC{'Test/Nginx/Util.pm'}) =~ s{Util\.pm$}{nginx-core.supp};
    my @supp = ($core_supp, 't/valgrind.suppress',
                split /\s+/, $ENV{TEST_NGINX_VALGRIND_SUPPRESS} // '');
    for my $s (grep { length && -f } @supp) {
        push @cmd, '--suppressions=' . File::Spec->rel2abs($s);
    }
    # A non-numeric TEST_NGINX_USE_VALGRIND adds options of its own.
    push @cmd, split /\s+/, $UseValgrind if $UseValgrind !~ /^\s*\d+\s*$/;
    return @cmd;
}

# Forks nginx in the foreground ("daemon off") as our child, in its own
# process group, stdout/stderr going to logs/stderr.log. Being its parent
# lets us see how it exited (crash signal, exit code), even at shutdown.
sub nginx_start {
    my (%o) = @_;
    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $ConfFile);
    # -e (nginx >= 1.19.5): errors seen before error_log is parsed go to our
    # error.log (Debian's default is stderr) as well as to stderr.
    push @cmd, '-e', $ErrLogFile if ($NginxVersion // 0) >= 1.019005;
    unshift @cmd, valgrind_cmd() if $o{valgrind};
    warn "starting: @cmd\n" if $Verbose;

    my $pid = fork;
    die "fork() failed: $!\n" unless defined $pid;
    if ($pid == 0) {
        setpgrp(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $StderrFile;
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        print STDERR "failed to execute $cmd[0]: $!\n";
        POSIX::_exit(127);    # skip END blocks (Test::Builder's) in the child
    }
    $NginxPid = $pid;
    return $pid;
}

# Reaps our nginx if it has exited; returns its wait status then, or undef
# while it is still running. $block_until (only used after a SIGKILL) waits.
sub nginx_reap {
    my ($block_until) = @_;
    return undef unless $NginxPid;
    my $state = proc_field($NginxPid, 0);
    return undef if !$block_until && defined $state && $state ne 'Z';
    # Workers orphaned by a dead master would keep the port: nginx runs in
    # its own process group, cleared while the (zombie) leader still holds
    # the group id, so that no recycled pid can be hit.
    kill SIGKILL, -$NginxPid if defined $state;
    my $r = waitpid($NginxPid, $block_until ? 0 : WNOHANG);
    return undef if $r == 0;
    my $st = $r == $NginxPid ? $? : -1;
    $LastStatus = $st;
    undef $NginxPid;
    undef $NginxHup;
    return $st;
}

sub nginx_is_alive { return $NginxPid && !defined nginx_reap() ? 1 : 0 }

# Is anything listening on the TCP port? Read from /proc/net/tcp* so that
# waiting for nginx does not leave probe connections in its error.log.
sub port_is_open {
    my ($port) = @_;
    my $hex = sprintf ':%04X ', $port;
    my $seen_proc;
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        open my $in, '<', $f or next;
        $seen_proc = 1;
        while (<$in>) {
            # sl local_address rem_address st(0A = LISTEN) ...
            return 1 if /^\s*\d+: [0-9A-F]+\Q$hex\E[0-9A-F]+:[0-9A-F]+ 0A /;
        }
    }
    return 0 if $seen_proc;
    my $sock = IO::Socket::INET->new(
        PeerAddr => $ServerAddr, PeerPort => $port, Proto => 'tcp', Timeout => 1,
    ) or return 0;
    close $sock;
    return 1;
}

# Waits until nginx accepts on the server port. Returns (1) on success,
# (0, $status) if nginx exited, (0, undef) on timeout.
sub nginx_wait_listening {
    my ($secs) = @_;
    my $deadline = time + $secs;
    my $step = 0.01;
    while (time < $deadline) {
        my $st = nginx_reap();
        return (0, $st) if defined $st;
        return (1) if port_is_open($ServerPort);
        sleep $step;
        $step *= 1.5 if $step < 0.2;
    }
    return (0, undef);
}

# Sends QUIT and waits for exit. Returns ($status, $hung): $hung is true if
# it had to be killed. The whole process group goes on SIGKILL so no worker
# stays behind holding the port.
sub nginx_stop {
    my ($secs) = @_;
    return (undef, 0) unless $NginxPid;
    my $pid = $NginxPid;
    kill SIGQUIT, $pid;
    my $deadline = time + $secs;
    while (time < $deadline) {
        my $st = nginx_reap();
        return ($st, 0) if defined $st;
        sleep 0.02;
    }
    kill SIGKILL, -$pid;
    kill SIGKILL, $pid;
    my $st = nginx_reap(1);
    return ($st, 1);
}

# Kills an nginx left over from an earlier run with the same servroot
# (found through its pid file), as upstream does.
sub kill_stale_nginx {
    return unless -f $PidFile;
    open my $in, '<', $PidFile or return;
    my ($pid) = (<$in> // '') =~ /(\d+)/;
    close $in;
    return unless $pid && $pid != $$ && kill 0, $pid;
    # pids get recycled: only an nginx started on this very servroot
    open my $c, '<', "/proc/$pid/cmdline" or return;
    my $cmdline = do { local $/; <$c> } // '';
    return unless $cmdline =~ /nginx/ && index($cmdline, "$ServRoot/\0") >= 0;
    warn "WARNING: killing stale nginx process $pid from $PidFile\n";
    kill SIGQUIT, $pid;
    for (1 .. 100) { last unless kill 0, $pid; sleep 0.05 }
    kill SIGKILL, $pid if kill 0, $pid;
    unlink $PidFile;
}

# Field $i of /proc/PID/stat after "pid (comm)": 0 = state, 1 = ppid.
sub proc_field {
    my ($pid, $i) = @_;
    open my $in, '<', "/proc/$pid/stat" or return undef;
    my $line = <$in> // return undef;
    $line =~ s/^.*\) //s;    # comm may contain spaces and parentheses
    return (split ' ', $line)[$i];
}

sub children_of {
    my ($ppid) = @_;
    return grep { (proc_field($_, 1) // 0) == $ppid }
           map { m{^/proc/(\d+)$} } glob '/proc/[0-9]*';
}

# One GET /ver to the HUP-mode side server; returns the body or ''.
sub fetch_config_version {
    my $sock = IO::Socket::INET->new(
        PeerAddr => $ServerAddr, PeerPort => $VerPort, Proto => 'tcp',
        Timeout => 2 * $SlowFactor,
    ) or return '';
    print $sock "GET /ver HTTP/1.0\r\nHost: Test-Nginx\r\n\r\n";
    my $resp = '';
    my $sel = IO::Select->new($sock);
    while ($sel->can_read(2 * $SlowFactor)) {
        my $n = sysread $sock, my $buf, 4096;
        last unless $n;
        $resp .= $buf;
    }
    close $sock;
    return $resp =~ /\r\n\r\n(.*)\z/s ? $1 : '';
}

# HUP mode: signals the master and waits until the new workers (which
# answer /ver with $version) serve several requests in a row; a lone
# match could come from a racing old worker. Returns an error or undef.
sub nginx_hup_reload {
    my ($version) = @_;
    return 'the nginx master process is gone' unless nginx_is_alive();
    # The current workers will log their shutdown into the next block's
    # part of error.log: remember them to keep their lines apart.
    my @old = children_of($NginxPid);
    $OldWorkers{$_} = 1 for @old;
    kill SIGHUP, $NginxPid or return "cannot send SIGHUP to $NginxPid: $!";
    my $deadline = time + 10 * $SlowFactor;
    my $ok = 0;
    while (time < $deadline) {
        return 'the nginx master process died on reload' unless nginx_is_alive();
        if (fetch_config_version() eq $version) {
            if (++$ok >= 5) {
                # An old worker that has not handled its QUIT yet (a busy
                # machine) still accepts on the shared listening sockets
                # and would serve the block's first request with the old
                # configuration, logging as an old worker: wait until the
                # idle old workers are gone (a busy one may take longer).
                my $until = time + 5 * $SlowFactor;
                sleep 0.02 while time < $until && grep { kill 0, $_ } @old;
                return undef;
            }
            sleep 0.01;
            next;
        }
        $ok = 0;
        sleep 0.05;
    }
    return "nginx did not switch to the new configuration within "
         . 10 * $SlowFactor . " s";
}

# ---------------------------------------------------------------------------
# Logs
# ---------------------------------------------------------------------------

# TEST_NGINX_CAPTURE_DIR: appends text to <dir>/<test file>.<kind>.
sub capture {
    my ($kind, $text) = @_;
    return unless $CaptureDir && length($text // '');
    make_path($CaptureDir) unless -d $CaptureDir;
    (my $base = $0) =~ s{.*/}{};
    open my $out, '>>', "$CaptureDir/$base.$kind"
        or die "cannot append to $CaptureDir/$base.$kind: $!\n";
    binmode $out;
    print $out $text;
    close $out;
}

# New error.log lines since the last call (the block's own part of the log).
sub read_error_log_slice {
    # nginx may still be logging (log phase after the response is sent).
    sleep $TestNginxSleep * 3;
    open my $in, '<', $ErrLogFile or return [];
    my $size = -s $in;
    $ErrLogPos = 0 if $size < $ErrLogPos;    # file was recreated
    seek $in, $ErrLogPos, 0;
    my @lines = <$in>;
    $ErrLogPos = tell $in;
    close $in;
    capture('error_log', join '', @lines);
    return \@lines unless %OldWorkers;
    # HUP mode: set aside entries (and their continuation lines) written by
    # workers of an older configuration.
    my ($old, @mine);
    for my $line (@lines) {
        $old = $OldWorkers{$1} if $line =~ m{^\d{4}/\d\d/\d\d [\d:]{8} \[\w+\] (\d+)#};
        if ($old) { push @OldWorkerLines, $line } else { push @mine, $line }
    }
    return \@mine;
}

sub read_file_text {
    my ($file) = @_;
    open my $in, '<', $file or return '';
    local $/;
    my $s = <$in>;
    close $in;
    return $s // '';
}

# Scans logs/valgrind.*.log for text not seen yet and returns the error
# records in it (empty string when clean). Valgrind -q prints only records;
# "possibly lost"/"still reachable" leaks and "Warning:" notes are not
# errors (--errors-for-leak-kinds=definite,indirect), anything else is.
sub valgrind_new_errors {
    my $report = '';
    for my $file (sort glob "$LogDir/valgrind.*.log") {
        my $text = read_file_text($file);
        my $seen = $ValgrindSeen{$file} // 0;
        next if length($text) <= $seen;
        my $new = substr $text, $seen;
        $ValgrindSeen{$file} = length $text;
        # A record starts with a "==PID== text" line after a "==PID== "
        # blank line or after the "}" ending the suppression template that
        # --gen-suppressions prints for the previous record.
        my (@records, $sep) = ('');
        $sep = 1;
        for my $line (split /^/, $new) {
            push @records, '' if $sep && $line =~ /^==\d+== \S/;
            $sep = $line =~ /^(?:==\d+==\s*|\}\s*)$/;
            $records[-1] .= $line;
        }
        for my $rec (@records) {
            next if $rec !~ /^==\d+== (\S.*)$/m;
            my $head = $1;
            next if $head =~ /are possibly lost|still reachable|^Warning: /;
            $report .= "--- $file\n" unless $report =~ /^--- \Q$file\E$/m;
            $report .= $rec;
        }
    }
    return $report;
}

# ---------------------------------------------------------------------------
# Cleanup: never leave an nginx running behind us.
# ---------------------------------------------------------------------------

sub cleanup {
    return unless $NginxPid;
    nginx_stop(5 * $SlowFactor);
}

my $OrigPid = $$;
for my $sig (qw(INT TERM)) {
    $SIG{$sig} = sub {
        cleanup() if $$ == $OrigPid;
        POSIX::_exit(130);
    };
}

END {
    if ($$ == $OrigPid && $NginxPid && !$ENV{TEST_NGINX_NO_CLEAN}) {
        local $?;    # keep the test script's exit status
        cleanup();
    }
}

1;
