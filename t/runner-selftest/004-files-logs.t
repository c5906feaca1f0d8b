# Self-test: user_files, grep_error_log, init, wait, shutdown_error_log,
# expected [crit] lines and block reuse without --- config.
# the runner's self-tests use stock nginx only, whatever the suite loads
BEGIN { delete $ENV{TEST_NGINX_LOAD_MODULES} }

use Test::Nginx::Socket;

# as upstream, the runner does not set it
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

plan tests => repeat_each() * (2 * blocks() + 3);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: user_files served by the root location, sub-directories allowed
--- user_files
>>> hello.txt
hello, world
>>> sub/dir/data.json
{"k": "v"}
--- config
    location /files/ { alias $TEST_NGINX_HTML_DIR/; }
--- request
GET /files/sub/dir/data.json
--- response_body
{"k": "v"}
--- error_log
http filename



=== TEST 2: grep_error_log collects matches
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- grep_error_log eval
qr/http request line: "[^"]+"/
--- grep_error_log_out
http request line: "GET /t HTTP/1.1"



=== TEST 3: init runs after nginx started, before the request; wait
--- config
--- init
open my $fh, '>', "$ENV{TEST_NGINX_HTML_DIR}/init.txt" or die $!;
print $fh "init ran\n";
close $fh;
--- wait: 0.1
--- request
GET /init.txt
--- response_body
init ran



=== TEST 4: an expected [crit] line does not fail the block
--- config
    location = /t { proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/no-such.sock; }
--- request
GET /t
--- error_code: 502
--- error_log
[crit]
no-such.sock failed (2: No such file or directory)



=== TEST 5: without --- config the previous block's server is reused
--- request
GET /t
--- error_code: 502
--- error_log
no-such.sock failed
--- shutdown_error_log
signal 3 (SIGQUIT) received
