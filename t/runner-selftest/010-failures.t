# Self-test: the runner must REPORT failures. Each case writes a small .t
# file into a temp dir, runs it with prove (in its own servroot and on its
# own port) and checks the TAP output and the exit status. Runs in every
# mode (plain, TEST_NGINX_USE_HUP, TEST_NGINX_USE_VALGRIND): the nested
# runs inherit the environment.
use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use FindBin ();
use IO::Socket::INET ();
use Time::HiRes qw(time);

my $lib = abs_path("$FindBin::Bin/../lib");
my $dir = tempdir('runner-selftest-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $valgrind = $ENV{TEST_NGINX_USE_VALGRIND};

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1) or die $!;
    my $p = $s->sockport;
    close $s;
    return $p;
}

my $n = 0;

# run_case($title, $data, env => {...}, head => $perl) -> ($output, $exit)
sub run_case {
    my ($title, $data, %o) = @_;
    my $file = sprintf "case%02d.t", ++$n;
    open my $fh, '>', "$dir/$file" or die $!;
    print $fh ($o{head} // "use Test::Nginx::Socket 'no_plan';\nno_shuffle();\nrun_tests();\n"),
              "\n__DATA__\n\n", $data;
    close $fh;
    local %ENV = %ENV;
    delete @ENV{qw(TEST_NGINX_CLIENT_PORT TEST_NGINX_SERVER_ROOT TEST_NGINX_HTML_DIR
                   TEST_NGINX_LOAD_MODULES)};
    $ENV{TEST_NGINX_SERVROOT} = "$dir/servroot$n";
    $ENV{TEST_NGINX_SERVER_PORT} = free_port();
    %ENV = (%ENV, %{ $o{env} || {} });
    my $t0 = time;
    my $out = `cd $dir && timeout 300 prove -v -I$lib $file 2>&1`;
    my $exit = $? >> 8;
    note sprintf "%s: exit %d in %.1f s", $title, $exit, time - $t0;
    note $out if $ENV{TEST_VERBOSE};    # prove -v
    return ($out, $exit, time - $t0);
}

sub expect_fail {
    my ($title, $data, $patterns, %o) = @_;
    my ($out, $exit) = run_case($title, $data, %o);
    my $ok = isnt($exit, 0, "$title: prove exits non-zero");
    $ok &= like($out, qr/^not ok \d+/m, "$title: a 'not ok' line") unless $o{plan_only};
    $ok &= like($out, qr/Result: FAIL/, "$title: prove reports FAIL");
    for my $p (@$patterns) {
        $ok &= like($out, $p, "$title: output matches $p");
    }
    diag($out) unless $ok;
}

sub expect_pass {
    my ($title, $data, $patterns, %o) = @_;
    my ($out, $exit) = run_case($title, $data, %o);
    my $ok = is($exit, 0, "$title: prove exits 0");
    $ok &= unlike($out, qr/^not ok/m, "$title: no 'not ok' line");
    for my $p (@{ $patterns || [] }) {
        $ok &= ref $p eq 'ARRAY' ? unlike($out, $p->[0], "$title: output lacks $p->[0]")
                                 : like($out, $p, "$title: output matches $p");
    }
    diag($out) unless $ok;
}

# A one-connection mock upstream forked from --- init; it answers with
# $ENV{MOCK_REPLY} (or never answers when that is empty) and exits.
my $mock_init = <<'EOC';
--- init
use IO::Socket::INET;
my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $ENV{MOCK_PORT},
                              Listen => 5, ReuseAddr => 1) or die "mock: $!";
if (!fork) {
    if (length $ENV{MOCK_REPLY}) {
        my $c = $l->accept;
        my $req = '';
        while ($req !~ /\r\n\r\n/) { sysread($c, $req, 4096, length $req) or last }
        print $c $ENV{MOCK_REPLY};
        close $c;
    } else {
        # accept nothing (requests hang) until the test script is gone
        my $parent = getppid;
        for (1 .. 300) { last if getppid != $parent; select undef, undef, undef, 0.1 }
    }
    require POSIX;
    POSIX::_exit(0);
}
close $l;
EOC

# --- the harness itself -----------------------------------------------------

expect_pass('passing file', <<'EOT', [qr/^ok 1 - case\d+\.t TEST 1: fine - status code ok$/m]);
=== TEST 1: fine
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
EOT

# --- response checks ---------------------------------------------------------

expect_fail('wrong body', <<'EOT', [qr/^not ok \d+ - case\d+\.t TEST 1: body - response_body - response is expected/m, qr/strings begin to differ|diff/]);
=== TEST 1: body
--- config
    location = /t { return 200 "line1\nline2\n"; }
--- request
GET /t
--- response_body
line1
LINE2
EOT

expect_fail('wrong status (default 200)', <<'EOT', [qr/^not ok \d+ - .*TEST 1: status - status code ok/m]);
=== TEST 1: status
--- config
    location = /t { return 404; }
--- request
GET /t
EOT

expect_fail('header present that must be absent', <<'EOT', [qr/^not ok \d+ - .* - header X-Foo not present in the raw headers/m]);
=== TEST 1: header
--- config
    location = /t { add_header X-Foo bar; return 200 "ok\n"; }
--- request
GET /t
--- response_headers
!X-Foo
EOT

# --- error log checks --------------------------------------------------------

expect_fail('no_error_log hit', <<'EOT', [qr/^not ok \d+ - .* - pattern "\[error\]" should not match any line in error\.log but matches line ".*Connection refused/m]);
=== TEST 1: refused
--- config
    location = /t { proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1; }
--- request
GET /t
--- error_code: 502
--- no_error_log
[error]
EOT

expect_fail('error_log miss', <<'EOT', [qr/^not ok \d+ - .* - pattern "no such line" should match a line in error\.log/m]);
=== TEST 1: miss
--- config
    location = /t { return 200; }
--- request
GET /t
--- error_log
no such line
EOT

expect_fail('unexpected [crit] (stricter than upstream)', <<'EOT', [qr/^not ok \d+ - .* - unexpected \[alert\]\/\[crit\]\/\[emerg\] or crash lines in error\.log/m, qr/# .*\[crit\].*no-such\.sock/]);
=== TEST 1: crit
--- config
    location = /t { proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/no-such.sock; }
--- request
GET /t
--- error_code: 502
EOT

# --- broken responses ---------------------------------------------------------

my $proxy_cfg = <<'EOC';
--- config
    location = /t {
        proxy_http_version 1.1;
        proxy_buffering off;
        proxy_pass http://127.0.0.1:$TEST_NGINX_MOCK_PORT;
    }
--- request
GET /t
EOC
sub mock_env {
    my $port = free_port();
    return { TEST_NGINX_MOCK_PORT => $port, MOCK_PORT => $port, MOCK_REPLY => shift };
}

expect_fail('chunked response without the last chunk', <<"EOT",
=== TEST 1: truncated chunked
$mock_init$proxy_cfg--- response_body
hello
--- error_log
upstream prematurely closed connection
EOT
    [qr/^not ok \d+ - .* - no last chunk found/m,
     # the part that did arrive is still compared (and matches)
     qr/^ok \d+ - .* - response_body - response is expected/m],
    env => mock_env("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello\n\r\n"));

expect_fail('Content-Length body truncated', <<"EOT",
=== TEST 1: truncated body
$mock_init$proxy_cfg--- error_log
upstream prematurely closed connection
EOT
    [qr/^not ok \d+ - .* - response body truncated: 100 bytes expected, got 6/m],
    env => mock_env("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello\n"));

expect_fail('client socket timeout', <<"EOT",
=== TEST 1: hangs
--- timeout: 1
$mock_init$proxy_cfg
EOT
    [qr/^not ok \d+ - ERROR: client socket timed out - .*TEST 1: hangs/m],
    env => mock_env(''));

expect_pass('--- abort tolerates the timeout', <<"EOT", [],
=== TEST 1: hangs
--- timeout: 0.5
--- abort
--- ignore_response
$mock_init$proxy_cfg--- no_error_log
[error]
EOT
    env => mock_env(''));

# --- nginx life cycle ---------------------------------------------------------

expect_fail('must_die but nginx starts', <<'EOT', [qr/^not ok \d+ - .* - die as expected/m]);
=== TEST 1: does not die
--- config
    location = /t { return 200; }
--- must_die
EOT

expect_fail('nginx crashes during the block', <<'EOT', [qr/signal 6\b/]);
=== TEST 1: crash
--- config
    location = /t { return 200 "ok\n"; }
--- init
# abort the worker(s) if there is a master, else nginx itself (valgrind
# ignores a SIGSEGV sent by kill(), SIGABRT gets through)
my $m = $Test::Nginx::Util::NginxPid;
my $ppid = sub { open(my $s, '<', "/proc/$_[0]/stat") or return 0; (split ' ', <$s>)[3] };
my @kids = grep { $ppid->($_) == $m } map { m{(\d+)$} } glob '/proc/[0-9]*';
kill 'ABRT', @kids ? @kids : $m;
sleep 1;
--- request
GET /t
--- response_body
ok
EOT

expect_fail('undefined $TEST_NGINX_ variable', <<'EOT', [qr/No environment TEST_NGINX_NOT_DEFINED_X defined/]);
=== TEST 1: undefined var
--- config
    location = /t { return 200 "$TEST_NGINX_NOT_DEFINED_X"; }
--- request
GET /t
EOT

# as upstream: a file that uses it sets it ($ENV{TEST_NGINX_HTML_DIR} = html_dir();)
expect_fail('$TEST_NGINX_HTML_DIR is not set by the runner', <<'EOT', [qr/No environment TEST_NGINX_HTML_DIR defined/]);
=== TEST 1: html dir
--- config
    location /files/ { alias $TEST_NGINX_HTML_DIR/; }
--- request
GET /files/
--- error_code: 404
EOT

# upstream checks only the first of the two: refused here
expect_fail('response_body_like with response_body_unlike', <<'EOT', [qr/--- response_body_unlike is not checked by the CPAN Test::Nginx when --- response_body_like is given/]);
=== TEST 1: both
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body_like: ok
--- response_body_unlike: secret
EOT

expect_fail('response_headers with response_headers_like', <<'EOT', [qr/--- response_headers_like is not checked by the CPAN Test::Nginx when --- response_headers is given/]);
=== TEST 1: both
--- config
    location = /t { add_header X-A 1; return 200 "ok\n"; }
--- request
GET /t
--- response_headers
X-A: 1
--- response_headers_like
X-A: \d
EOT

{
    my ($title, $t0) = ('missing nginx binary', time);
    expect_fail($title, <<'EOT', [qr/nginx binary unusable: cannot run the nginx binary/],
=== TEST 1: anything
--- config
--- request
GET /
EOT
        env => { TEST_NGINX_BINARY => '/nonexistent/nginx' });
    cmp_ok(time - $t0, '<', 20, "$title: fails fast");
}

# --- Test::Base meta sections, plans ------------------------------------------

expect_pass('SKIP and LAST', <<'EOT', [qr/TEST 1: one/, [qr/TEST 2: two/], [qr/TEST 4: four/], qr/TEST 3: three/]);
=== TEST 1: one
--- config
--- request
GET /
=== TEST 2: two
--- SKIP
--- config
--- request
GET /
=== TEST 3: three
--- LAST
--- config
--- request
GET /
=== TEST 4: four
--- config
--- request
GET /
EOT

expect_fail('wrong plan', <<'EOT', [qr/planned 3 tests but ran 2/],
=== TEST 1: one
--- config
--- request
GET /
--- response_body_like: It works
EOT
    head => "use Test::Nginx::Socket tests => 3;\nrun_tests();\n", plan_only => 1);

# --- valgrind mode: errors must fail the block ---------------------------------

SKIP: {
    skip 'TEST_NGINX_USE_VALGRIND is not set', 1 unless $valgrind;
    my $cc = `command -v cc 2>/dev/null`;
    skip 'no C compiler for the LD_PRELOAD fault injector', 1 unless $cc;
    # Only misbehaves inside valgrind (its preload libraries come first).
    open my $c, '>', "$dir/bad.c" or die $!;
    print $c <<'EOC';
#include <stdlib.h>
#include <string.h>
static volatile char sink;
__attribute__((constructor)) static void bad(void) {
    const char *pl = getenv("LD_PRELOAD");
    if (pl == NULL || strstr(pl, "vgpreload") == NULL) return;
    char *p = malloc(16);
    p[0] = 1;
    free(p);
    sink = p[1];              /* Invalid read */
    p = malloc(32);
    p = NULL;                 /* definitely lost */
}
EOC
    close $c;
    system("cc -shared -fPIC -O0 -o $dir/bad.so $dir/bad.c") == 0 or die "cc failed";
    expect_fail('valgrind errors', <<'EOT', [qr/^not ok \d+ - .* - valgrind reported errors/m, qr/Invalid read/, qr/definitely lost/],
=== TEST 1: fine but valgrind is not
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
EOT
        env => { LD_PRELOAD => "$dir/bad.so" });
}

done_testing();
