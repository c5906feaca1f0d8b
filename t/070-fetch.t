# The fetch engine: calls in parallel (bounded), several accounts in one
# answer, POST bodies, the ways a provider fails, a client that leaves
# mid-stream, and 429s asked again (usage_metering_retry_429), against
# real mocks on loopback (njs, for delays, state and broken answers).

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

our $Files = <<'_EOC_';
>>> maps/slow.json
{
  "provider": "slow",
  "resources": {
    "usage": {
      "list": {
        "request": { "path": "/slow", "query": { "who": "$account.who" } },
        "records": "data",
        "row": { "id": "id" }
      }
    },
    "users": {
      "list": {
        "request": {
          "method": "POST",
          "path": "/echo",
          "query": { "v": "'1'" },
          "body": {
            "startDate": "$toMillis($query.start_date)",
            "team": "$account.who",
            "filters": { "ids": "$query.ids" }
          }
        },
        "records": "data",
        "row": { "id": "id", "name": "body" }
      }
    },
    "workspaces": {
      "list": {
        "request": { "path": "/cut" },
        "records": "data",
        "row": { "id": "id" }
      }
    },
    "organizations": {
      "list": {
        "request": { "path": "/hang" },
        "records": "data",
        "row": { "id": "id" }
      }
    }
  }
}
>>> maps/other.json
{
  "provider": "other",
  "resources": {
    "usage": {
      "list": {
        "request": { "path": "/other" },
        "records": "items",
        "row": { "id": "key", "metric_name": "'other'" }
      }
    }
  }
}
>>> maps/pages.json
{
  "provider": "pages",
  "resources": {
    "users": {
      "list": {
        "request": { "path": "/pages", "query": { "delay": "$account.delay" } },
        "pagination": { "send": "query", "param": "page", "next": "next_page" },
        "records": "data",
        "row": { "id": "id" }
      }
    },
    "workspaces": {
      "list": {
        "request": {
          "path": "/flaky",
          "query": { "fail": "$account.fail", "after": "$query.after",
                     "key": "$query.key" }
        },
        "records": "data",
        "row": { "id": "id" }
      }
    }
  }
}
>>> mock.js
import fs from 'fs';

// a second each: two in parallel take about one, one after the other two,
// with room for a slow machine (or valgrind) in between
function slow(r) {
    setTimeout(function () {
        r.return(200, JSON.stringify({ data: [{ id: r.args.who }] }));
    }, 1000);
}

function hang(r) {
    setTimeout(function () { r.return(200, '{"data":[]}'); }, 4000);
}

function cut(r) {
    r.status = 200;
    r.headersOut['Content-Type'] = 'application/json';
    r.headersOut['Content-Length'] = '1000';
    r.sendHeader();
    r.send('{"data":[{"id":"a"}');
    r.finish();
}

function echo(r) {
    r.return(200, JSON.stringify({ data: [{
        id: r.method + ' ' + r.variables.args + ' ' + r.headersIn['Content-Length'],
        body: r.requestText
    }] }));
}

// two pages; the second one after ?delay= ms (p-slow: 6 s, longer than
// the client's --- timeout of the tests that leave, even tripled under
// valgrind)
function pages(r) {
    var two = r.args.page === '2';
    var body = JSON.stringify(two ? { data: [{ id: 'r3' }], next_page: null }
                                  : { data: [{ id: 'r1' }, { id: 'r2' }],
                                      next_page: '2' });
    var delay = two ? Number(r.args.delay || 0) : 0;

    if (delay) {
        setTimeout(function () { r.return(200, body); }, delay);

    } else {
        r.return(200, body);
    }
}

// 429 (Retry-After: ?after=, if given) for the first ?fail= calls of a
// ?key=, then 200; the count of calls is kept in a file
function flaky(r) {
    var f = r.variables.state_dir + '/flaky-' + r.args.key + '-' + r.args.fail;
    var n = 0;

    try {
        n = Number(fs.readFileSync(f));
    } catch (e) {
    }

    fs.writeFileSync(f, String(n + 1));

    if (n < Number(r.args.fail)) {
        if (r.args.after) {
            r.headersOut['Retry-After'] = r.args.after;
        }

        r.return(429, JSON.stringify({ error: 'slow down', call: n + 1 }));
        return;
    }

    r.return(200, JSON.stringify({ data: [{ id: 'call-' + (n + 1) }] }));
}

export default { slow, hang, cut, echo, pages, flaky };
_EOC_

our $Main = "load_module /usr/lib/nginx/modules/ngx_http_js_module.so;";

our $HttpConfig = <<'_EOC_';
    js_import mock from $TEST_NGINX_HTML_DIR/mock.js;

    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account   s-a provider=slow upstream=/_um/s who=alice;
    usage_metering_account   s-b provider=slow upstream=/_um/s who=bob;
    usage_metering_account   o-1 provider=other upstream=/_um/s;
    usage_metering_account   p-slow provider=pages upstream=/_um/p
                             delay=6000 fail=0;
    usage_metering_account   p-fast provider=pages upstream=/_um/p
                             delay=0 fail=1;
    usage_metering_account   p-bad provider=pages upstream=/_um/p
                             delay=0 fail=9;

    # how each request ended, in the error log (see t/060)
    log_format  um_done  'um-done: $request_uri status=$status '
                         'rows=$usage_metering_rows '
                         'calls=$usage_metering_calls '
                         'completion="$request_completion"';

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        keepalive_timeout 0;
        default_type application/json;

        location = /slow { js_content mock.slow; }
        location = /hang { js_content mock.hang; }
        location = /cut  { js_content mock.cut; }
        location = /echo { js_content mock.echo; }
        location = /pages { js_content mock.pages; }
        location = /flaky {
            set $state_dir $TEST_NGINX_HTML_DIR;
            js_content mock.flaky;
        }
        location = /other {
            return 200 '{"items":[{"key":"k1"},{"key":"k2"}]}';
        }
        location = /bad-json {
            return 200 '{"data":[{"id":"a"},';
        }
        location = /denied {
            add_header WWW-Authenticate 'Basic error="invalid_key"' always;
            return 401 '{"errors":[{"status":"401","detail":"The API Key is invalid"}]}';
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
        access_log logs/error.log um_done;
    }

    location /_um/p/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_read_timeout 10s;
    }

    location /_um/s/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_set_header Content-Type application/json;
        proxy_read_timeout 1500ms;
    }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("user_files", $::Files) unless defined $block->user_files;
    $block->set_value("main_config", $::Main) unless defined $block->main_config;
    $block->set_value("http_config", $::HttpConfig)
        unless defined $block->http_config;
    $block->set_value("config", $::Config) unless defined $block->config;
});

# A provider that resets the connection in the middle of its body (a real
# TCP RST: SO_LINGER 0, not a close): nginx cannot send one on purpose, so
# this server is a forked Perl loop on a port of its own.
my $rst_parent = $$;
my $rst_pid;
{
    use Socket qw(SOL_SOCKET SO_LINGER);
    use IO::Socket::INET;

    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Listen => 16, ReuseAddr => 1, Proto => 'tcp')
        or die "rst server: $!";
    $ENV{TEST_NGINX_RST_PORT} = $l->sockport;
    $rst_pid = fork // die "fork: $!";

    if ($rst_pid == 0) {
        while (my $c = $l->accept) {
            my $req = '';
            while ($req !~ /\r\n\r\n/) {
                last unless sysread($c, $req, 4096, length $req);
            }
            syswrite($c, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
                         . "\r\nContent-Length: 1000\r\n\r\n"
                         . '{"data":[{"id":"a"},');
            select(undef, undef, undef, 0.2);
            setsockopt($c, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0));
            close $c;
        }
        exit 0;
    }

    close $l;
}

END { kill 'KILL', $rst_pid if $rst_pid && $$ == $rst_parent; }

no_shuffle();
run_tests();

__DATA__

=== TEST 1: two accounts in one answer: called in parallel, rows tagged
--- request
GET /unified/usage-metering/usage?integrated_account_id=s-a&integrated_account_id=s-b&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"integrated_account_id":"s-a","id":"alice"},{"integrated_account_id":"s-b","id":"bob"}],"next_cursor":null,"result_count":2}
--- error_log eval
[qr/usage_metering: round of 2 calls in ([0-9]{1,3}|1[0-8][0-9][0-9]) ms/]
--- no_error_log
[error]



=== TEST 2: usage_metering_parallel 1 makes the same calls one after the other
--- config eval
"usage_metering_parallel 1;\n" . $::Config
--- request
GET /unified/usage-metering/usage?integrated_account_id=s-a&integrated_account_id=s-b&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"integrated_account_id":"s-a","id":"alice"},{"integrated_account_id":"s-b","id":"bob"}],"next_cursor":null,"result_count":2}
--- error_log eval
[qr/usage_metering: round of 2 calls in ([2-9][0-9][0-9][0-9]) ms/]



=== TEST 3: accounts of different providers merge; limit trims the whole answer
--- request
GET /unified/usage-metering/usage?integrated_account_id=o-1&integrated_account_id=s-a&truto_ignore_remote_data=true&limit=2
--- response_body_like: ^\{"result":\[\{"integrated_account_id":"o-1","id":"k1","metric_name":"other"\},\{"integrated_account_id":"o-1","id":"k2","metric_name":"other"\}\],"next_cursor":"[A-Za-z0-9_-]+","result_count":2\}$



=== TEST 4: a POST with the mapping's JSON body, as the provider receives it
--- request
GET /unified/usage-metering/users?integrated_account_id=s-a&start_date=2024-03-01&ids[]=u1&ids[]=u%222&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"POST v=1 74","name":"{\"startDate\":1709251200000,\"team\":\"alice\",\"filters\":{\"ids\":[\"u1\",\"u\\\"2\"]}}"}],"next_cursor":null,"result_count":1}



=== TEST 5: a provider that does not answer in time: 504
--- request
GET /unified/usage-metering/organizations?integrated_account_id=s-a
--- error_code: 504
--- response_body chomp
{"statusCode":504,"error":"Gateway Timeout","message":"the provider did not answer in time"}
--- error_log
upstream timed out
usage_metering: account "s-a": the provider did not answer in time



=== TEST 6: a provider that closes in the middle of its body: 502
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=s-a
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer was cut short"}
--- error_log
upstream prematurely closed connection
usage_metering: account "s-a": the provider's answer was cut short



=== TEST 7: a complete answer whose JSON is cut: 502
--- http_config eval
$::HttpConfig =~ s#location = /cut  \{ js_content mock.cut; \}#location = /cut { return 200 '{"data":[{"id":"a"},'; }#r
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=s-a
--- error_code: 502
--- response_body_like: ^\{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer is not valid JSON \(line 1, column \d+\)"\}$



=== TEST 8: the provider refuses the credentials: its 401, its message
--- http_config eval
$::HttpConfig =~ s#location = /hang \{ js_content mock.hang; \}#location = /hang { return 401 '{"errors":[{"detail":"The API Key is invalid"}]}'; }#r
--- request
GET /unified/usage-metering/organizations?integrated_account_id=s-a
--- error_code: 401
--- response_body chomp
{"statusCode":401,"error":"Unauthorized","message":"the provider answered 401","truto_is_remote_error":true,"raw_response":{"errors":[{"detail":"The API Key is invalid"}]}}
--- response_headers
!WWW-Authenticate



=== TEST 9: the client goes away while its stream waits for the provider
--- request
GET /unified/usage-metering/organizations?integrated_account_id=s-a&truto_response_format=stream
--- timeout: 0.3
--- abort
--- ignore_response
--- wait: 2
--- no_error_log
[alert]
[crit]



=== TEST 10: the client closes mid-stream, after the header and the first page's rows, while the next page is in flight
--- request
GET /unified/usage-metering/users?integrated_account_id=p-slow&truto_response_format=stream
--- timeout: 1
--- abort
--- ignore_response
--- wait: 0.5
--- error_log
client prematurely closed connection
cleanup http upstream request: "/_um/p/pages"
um-done: /unified/usage-metering/users?integrated_account_id=p-slow&truto_response_format=stream status=200 rows=2 calls=2 completion=""
--- no_error_log
[alert]
[crit]
stream cut



=== TEST 11: the same over HTTP/1.0, then a whole stream from the same nginx
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=p-slow&truto_response_format=stream&truto_ignore_remote_data=true HTTP/1.0",
  "GET /unified/usage-metering/users?integrated_account_id=p-fast&truto_response_format=stream&truto_ignore_remote_data=true" ]
--- timeout: 1
--- abort
--- error_code eval
[200, 200]
--- response_body eval
[ '{"result":[{"id":"r1"},{"id":"r2"}',
  '{"result":[{"id":"r1"},{"id":"r2"},{"id":"r3"}],"next_cursor":null,"result_count":3}' ]
--- no_error_log
[alert]
[crit]
[error]



=== TEST 12: usage_metering_retry_429: a 429 is asked again after its Retry-After; the answer is the retry's
--- config eval
"usage_metering_retry_429 2;\n" . $::Config
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=p-fast&after=1&key=a&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"call-2"}],"next_cursor":null,"result_count":1}
--- response_headers
!Retry-After
--- error_log
usage_metering: account "p-fast": the provider answered 429; retry 1 of 2 in 1000 ms (usage_metering_retry_429)
um-done: /unified/usage-metering/workspaces?integrated_account_id=p-fast&after=1&key=a&truto_ignore_remote_data=true status=200 rows=1 calls=2 completion="OK"



=== TEST 13: retries used up: the last 429 is the answer, its Retry-After forwarded
--- config eval
"usage_metering_retry_429 2 2s;\n" . $::Config
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=p-bad&after=0&key=b
--- error_code: 429
--- response_headers
Retry-After: 0
--- response_body chomp
{"statusCode":429,"error":"Too Many Requests","message":"the provider answered 429","truto_is_remote_error":true,"raw_response":{"error":"slow down","call":3}}
--- error_log
retry 1 of 2 in 0 ms
retry 2 of 2 in 0 ms
status=429 rows=0 calls=3
--- no_error_log
retry 3 of



=== TEST 14: a Retry-After longer than max_delay is not waited for: the client gets the 429 at once
--- config eval
"usage_metering_retry_429 2 500ms;\n" . $::Config
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=p-fast&after=1&key=c
--- error_code: 429
--- response_headers
Retry-After: 1
--- response_body chomp
{"statusCode":429,"error":"Too Many Requests","message":"the provider answered 429","truto_is_remote_error":true,"raw_response":{"error":"slow down","call":1}}
--- error_log
status=429 rows=0 calls=1
--- no_error_log
retry 1 of



=== TEST 15: two accounts, one rate-limited: only its call is asked again, the other's page is kept
--- config eval
"usage_metering_retry_429 1;\n" . $::Config
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=p-fast&integrated_account_id=p-slow&key=d&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"integrated_account_id":"p-fast","id":"call-2"},{"integrated_account_id":"p-slow","id":"call-1"}],"next_cursor":null,"result_count":2}
--- error_log
usage_metering: account "p-fast": the provider answered 429; retry 1 of 1 in 1000 ms
status=200 rows=2 calls=3
--- no_error_log
account "p-slow": the provider answered 429



=== TEST 16: Retry-After as an HTTP date (here in the past: at once)
--- config eval
"usage_metering_retry_429 1;\n" . $::Config
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=p-fast&after=Thu,%2001%20Jan%201970%2000:00:00%20GMT&key=e&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"call-2"}],"next_cursor":null,"result_count":1}
--- error_log
the provider answered 429; retry 1 of 1 in 0 ms



=== TEST 17: without usage_metering_retry_429 a 429 is answered as it is
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=p-fast&after=1&key=f
--- error_code: 429
--- response_headers
Retry-After: 1
--- error_log
status=429 rows=0 calls=1
--- no_error_log
retry 1 of



=== TEST 18: the retry count is checked when nginx loads
--- config eval
"usage_metering_retry_429 11;\n" . $::Config
--- must_die
--- error_log eval
qr{\[emerg\] .*"usage_metering_retry_429" directive needs a number of retries from 0 to 10}



=== TEST 19: the client leaves while a 429 retry waits: the wait ends with the request
--- config eval
"usage_metering_retry_429 1 10s;\n" . $::Config
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=p-fast&after=6&key=g
--- timeout: 1
--- abort
--- ignore_response
--- wait: 0.5
--- error_log
retry 1 of 1 in 6000 ms
client prematurely closed connection
status=499 rows=0 calls=1 completion=""
--- no_error_log
[alert]
[crit]



=== TEST 20: a provider that resets the connection (TCP RST) in the middle of its body: 502, said in the log
--- http_config eval
$::HttpConfig . "usage_metering_account r-1 provider=slow upstream=/_um/r who=x;\n"
--- config eval
$::Config . "location /_um/r/ { internal; proxy_pass http://127.0.0.1:\$TEST_NGINX_RST_PORT/; proxy_pass_request_headers off; }\n"
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=r-1
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer was cut short"}
--- error_log eval
[qr/recv\(\) failed \(104: Connection reset by peer\) while reading upstream/,
 qr/usage_metering: account "r-1": the provider's answer was cut short/]
--- no_error_log
[alert]
[crit]
