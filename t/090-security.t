# SSRF and injection: whatever a client (query, id, remote_query, a
# cursor, even one signed with the real secret) or a provider (its next-page
# links) sends, the module calls nothing but the account's own internal
# location with the path its mapping allows, and nothing adds a header to
# a provider request.  The account s-2's location proxies to another
# server, "evil": reaching it, or any path but the mapping's, is the
# failure these tests look for.  (t/040 covers ids with "/", dot segments,
# CRLF and NUL; t/060 cursors that are tampered with, foreign or expired;
# t/050 the client's Authorization; SECURITY.md says what is defended.)

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(encode_base64url);

our $Secret = 'test-cursor-secret-0123456789abcdef';

# next_cursor as the module makes it (src/um_cursor.c; see t/060), signed
# with the configured secret: what someone who knows it could send
sub varint {
    my $v = shift;
    my $o = '';
    while ($v >= 0x80) { $o .= chr(($v & 0x7f) | 0x80); $v >>= 7; }
    return $o . chr($v);
}

sub cursor {
    my ($resource, $params, @parts) = @_;
    my %res = (organizations => 0, products => 1, usage => 2,
               workspaces => 3, users => 4);
    my $d = chr($res{$resource}) . chr(0) . "\0";
    for my $p (sort { $a->[0] cmp $b->[0] || $a->[1] cmp $b->[1] } @$params) {
        $d .= "$p->[0]=$p->[1]\0";
    }
    my $raw = chr(1) . pack('Q>', 0) . substr(sha256($d), 0, 16)
              . varint(scalar @parts);
    for my $p (@parts) {
        $raw .= varint($p->[0]) . varint($p->[1]) . varint(length $p->[2])
                . $p->[2];
    }
    $raw .= substr(hmac_sha256($raw, $Secret), 0, 16);
    return encode_base64url($raw);
}

our $A = [['integrated_account_id', 's-1']];

our $Maps = <<'_EOC_';
>>> maps/sec.json
{
  "provider": "sec",
  "resources": {
    "workspaces": {
      "list": {
        "request": { "path": "/items", "query": { "case": "$query.case" } },
        "pagination": { "send": "url", "next": "next" },
        "records": "data",
        "row": { "id": "id", "name": "name" }
      },
      "get": {
        "request": { "path": "/items/{$id}" },
        "records": "data",
        "row": { "id": "id", "name": "name" }
      }
    },
    "users": {
      "list": {
        "request": { "path": "/people" },
        "pagination": { "send": "query", "param": "page", "next": "next" },
        "records": "data",
        "row": { "id": "id", "name": "name" }
      }
    }
  }
}
_EOC_

our $HttpConfig = <<'_EOC_';
    usage_metering_mappings       $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account        s-1 provider=sec upstream=/_um/sec;
    usage_metering_account        s-2 provider=sec upstream=/_um/sec2;
    usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;
    usage_metering_cursor_ttl     0;

    # the provider: it echoes what it was sent ($args, $request_uri, an
    # injected header) and, with ?case=..., gives a hostile next link
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;

        location = /items {
            if ($arg_page) {
                return 200 '{"data":[{"id":"p2","name":"$args|$http_x_injected"}]}';
            }
            if ($arg_case = "host") {
                return 200 '{"data":[{"id":"p1"}],"next":"https://evil.example/steal?page=2"}';
            }
            if ($arg_case = "scheme") {
                return 200 '{"data":[{"id":"p1"}],"next":"//evil.example/items?page=2"}';
            }
            if ($arg_case = "dots") {
                return 200 '{"data":[{"id":"p1"}],"next":"/items/%2e%2e/admin?page=2"}';
            }
            if ($arg_case = "crlf") {
                return 200 '{"data":[{"id":"p1"}],"next":"/items?page=2\\r\\nX-Injected: 1"}';
            }
            if ($arg_case = "enc") {
                return 200 '{"data":[{"id":"p1"}],"next":"/items?page=2&x=%0d%0aX-Injected:%201"}';
            }
            if ($arg_case = "port") {
                return 200 '{"data":[{"id":"p1"}],"next":"http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/items?page=2"}';
            }
            return 200 '{"data":[{"id":"p1"}]}';
        }

        location /items/ {
            return 200 '{"data":{"id":"$request_uri","name":"$http_x_injected|$http_cookie"}}';
        }

        location = /people {
            return 200 '{"data":[{"id":"u","name":"$args|$http_x_injected"}]}';
        }
    }

    # somewhere else: no request may ever end up here
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        default_type application/json;

        location / {
            return 200 '{"data":[{"id":"EVIL","name":"$request_uri"}]}';
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/sec/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
    }

    location /_um/sec2/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/;
        proxy_pass_request_headers off;
    }
_EOC_

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("user_files", $::Maps) unless defined $block->user_files;
    $block->set_value("http_config", $::HttpConfig)
        unless defined $block->http_config;
    $block->set_value("config", $::Config) unless defined $block->config;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a next-page link to another host, path or scheme, or with CRLF in it: 502, nothing called
--- request eval
[ map { "GET /unified/usage-metering/workspaces?integrated_account_id=s-1&truto_ignore_remote_data=true&case=$_" }
      qw(host scheme dots crlf) ]
--- error_code eval
[502, 502, 502, 502]
--- response_body eval
[ ('{"statusCode":502,"error":"Bad Gateway","message":"the provider\'s next-page link points to another path than the mapping\'s"}') x 3,
  '{"statusCode":502,"error":"Bad Gateway","message":"the provider\'s next-page link contains characters a URL may not"}' ]
--- no_error_log eval
[ qr{usage_metering: call GET /_um/sec2}, qr{usage_metering: call GET /_um/sec/(?!items\?case=)},
  qr{\[(?:alert|crit)\]} ]



=== TEST 2: a link's encoded CRLF stays encoded; another host:port is dropped for the account's own location
--- request eval
[ "GET /unified/usage-metering/workspaces?integrated_account_id=s-1&truto_ignore_remote_data=true&truto_response_format=stream&case=enc",
  "GET /unified/usage-metering/workspaces?integrated_account_id=s-1&truto_ignore_remote_data=true&truto_response_format=stream&case=port" ]
--- response_body eval
[ '{"result":[{"id":"p1"},{"id":"p2","name":"page=2&x=%0d%0aX-Injected:%201|"}],"next_cursor":null,"result_count":2}',
  '{"result":[{"id":"p1"},{"id":"p2","name":"page=2|"}],"next_cursor":null,"result_count":2}' ]
--- no_error_log eval
[ qr{usage_metering: call GET /_um/sec2}, qr{EVIL} ]



=== TEST 3: a signed cursor cannot send a URL continuation elsewhere: another location, path, dot segment, CRLF
--- request eval
[ map({ "GET /unified/usage-metering/workspaces?integrated_account_id=s-1&next_cursor=" . ::cursor('workspaces', $::A, [0, 0, $_]) }
      '2/items?page=2', '/admin?page=2', '/items/../admin', '//evil.example/items',
      "/items?page=2\r\nX-Injected: 1", 'http://evil.example/items?page=2'),
  "GET /unified/usage-metering/workspaces?integrated_account_id=s-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('workspaces', $::A, [0, 0, '/items?page=2']) ]
--- error_code eval
[400, 400, 400, 400, 400, 400, 200]
--- response_body eval
[ ('{"statusCode":400,"error":"Bad Request","message":"next_cursor is not valid"}') x 6,
  '{"result":[{"id":"p2","name":"page=2|"}],"next_cursor":null,"result_count":1}' ]
--- no_error_log eval
[ qr{usage_metering: call GET /_um/sec2}, qr{usage_metering: call GET /_um/sec/(?!items\?page=2$)},
  qr{EVIL} ]



=== TEST 4: a query or cursor token with CRLF, "&" and "=" is percent-encoded: no header, no extra parameter
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=s-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('users', $::A, [0, 0, "t2\r\nX-Injected: 1&admin=1"]),
  "GET /unified/usage-metering/users?integrated_account_id=s-1&truto_ignore_remote_data=true&remote_query[page%0D%0AX-Injected:%201]=1&remote_query[../../admin]=x%0D%0Ay%26z%3D1" ]
--- response_body eval
[ '{"result":[{"id":"u","name":"page=t2%0D%0AX-Injected%3A%201%26admin%3D1|"}],"next_cursor":null,"result_count":1}',
  '{"result":[{"id":"u","name":"page%0D%0AX-Injected%3A%201=1&..%2F..%2Fadmin=x%0D%0Ay%26z%3D1|"}],"next_cursor":null,"result_count":1}' ]
--- no_error_log eval
[ qr{usage_metering: call GET /_um/sec2}, qr{usage_metering: call GET /_um/sec/(?!people\?)} ]



=== TEST 5: an id stays one path segment below the mapping's path; the client's headers never reach the provider
--- more_headers
X-Injected: 1
Cookie: session=abc
--- request eval
[ "GET /unified/usage-metering/workspaces/%252e%252e?integrated_account_id=s-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/workspaces/..%252f..%252fadmin?integrated_account_id=s-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/workspaces/a%5Cb?integrated_account_id=s-1",
  "GET /unified/usage-metering/workspaces/a%09b?integrated_account_id=s-1" ]
--- error_code eval
[200, 200, 400, 400]
--- response_body eval
[ '{"id":"/items/%252e%252e","name":"|"}',
  '{"id":"/items/..%252f..%252fadmin","name":"|"}',
  '{"statusCode":400,"error":"Bad Request","message":"the id must not contain \"/\" or \"\\\\\""}',
  '{"statusCode":400,"error":"Bad Request","message":"the id must not contain control characters"}' ]
--- no_error_log eval
[ qr{usage_metering: call GET /_um/sec2}, qr{usage_metering: call GET /_um/sec/(?!items/)} ]
