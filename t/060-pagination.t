# Pagination in every style a provider uses, the signed next_cursor that
# continues it (exactly after the last row given when limit trims a page,
# for one account or several), its secret read from a file, cursors that
# must be refused, loop detection, and the stream format (whole, bounded,
# or cut by a failure).

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(encode_base64url);

our $Secret = 'test-cursor-secret-0123456789abcdef';

# next_cursor as the module makes it (src/um_cursor.c): with
# usage_metering_cursor_ttl 0 it carries no time, so it can be computed
sub varint {
    my $v = shift;
    my $o = '';
    while ($v >= 0x80) { $o .= chr(($v & 0x7f) | 0x80); $v >>= 7; }
    return $o . chr($v);
}

sub cursor {
    my ($resource, $params, $issued, @parts) = @_;
    my %res = (organizations => 0, products => 1, usage => 2,
               workspaces => 3, users => 4);
    my $d = chr($res{$resource}) . chr(0) . "\0";
    for my $p (sort { $a->[0] cmp $b->[0] || $a->[1] cmp $b->[1] } @$params) {
        $d .= "$p->[0]=$p->[1]\0";
    }
    my $raw = chr(1) . pack('Q>', $issued) . substr(sha256($d), 0, 16)
              . varint(scalar @parts);
    for my $p (@parts) {
        $raw .= varint($p->[0]) . varint($p->[1]) . varint(length $p->[2])
                . $p->[2];
    }
    $raw .= substr(hmac_sha256($raw, $Secret), 0, 16);
    return encode_base64url($raw);
}

our $A = [['integrated_account_id', 'pg-1']];

our $Maps = <<'_EOC_';
>>> maps/pg.json
{
  "provider": "pg",
  "resources": {
    "users": {
      "list": {
        "request": { "path": "/users" },
        "pagination": { "send": "query", "param": "page", "next": "next_page" },
        "records": "data",
        "row": { "id": "id" }
      }
    },
    "workspaces": {
      "list": {
        "request": { "path": "/workspaces", "query": { "size": "'2'" } },
        "pagination": { "send": "url", "next": "links.next" },
        "records": "items",
        "row": { "id": "id" }
      }
    },
    "organizations": {
      "list": {
        "request": { "path": "/orgs" },
        "pagination": {
          "send": "query", "param": "page",
          "next": "$count(data) > 0 ? $string($number($cursor ? $cursor : '1') + 1)"
        },
        "records": "data",
        "row": { "id": "id" }
      }
    },
    "usage": {
      "list": {
        "request": { "path": "/usage" },
        "pagination": { "send": "query", "param": "after", "next": "has_more ? last_id" },
        "records": "data",
        "row": { "id": "id" }
      }
    },
    "products": {
      "list": {
        "request": { "path": "/products" },
        "pagination": {
          "send": "url",
          "next": "$match($headers.link, /<([^>]+)>;\\s*rel=\"next\"/).groups[0]"
        },
        "records": "$",
        "row": { "id": "id" }
      }
    }
  }
}
_EOC_

our $HttpConfig = <<'_EOC_';
    usage_metering_mappings       $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account        pg-1 provider=pg upstream=/_um/pg;
    usage_metering_account        pg-2 provider=pg upstream=/_um/pg2;
    usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;
    usage_metering_cursor_ttl     0;

    # how each request ended, in the error log: a test sees it there even
    # with --- ignore_response (Test::Nginx checks --- access_log only on a
    # response it has parsed); $request_completion is "OK" only when the
    # response was sent whole, last chunk included
    log_format  um_done  'um-done: $request_uri status=$status '
                         'rows=$usage_metering_rows '
                         'completion="$request_completion"';

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;

        location = /users {
            if ($arg_page = "t2") {
                return 200 '{"data":[{"id":"u3"}],"next_page":"t3"}';
            }
            if ($arg_page = "t3") {
                return 200 '{"data":[{"id":"u4"}],"next_page":null}';
            }
            if ($arg_page = "same") {
                return 200 '{"data":[{"id":"u9"}],"next_page":"same"}';
            }
            return 200 '{"data":[{"id":"u1"},{"id":"u2"}],"next_page":"t2"}';
        }

        location = /workspaces {
            if ($arg_cursor = "c2") {
                return 200 '{"items":[{"id":"w3"}],"links":{"next":"http://api.example.com:8443/workspaces?size=2&cursor=c3"}}';
            }
            if ($arg_cursor = "c3") {
                return 200 '{"items":[{"id":"w4"}],"links":{"next":null}}';
            }
            return 200 '{"items":[{"id":"w1"},{"id":"w2"}],"links":{"next":"https://api.example.com/workspaces?size=2&cursor=c2"}}';
        }

        # the users of pg-2, another account on the same provider
        location = /two/users {
            if ($arg_page = "n2") {
                return 200 '{"data":[{"id":"v4"}],"next_page":null}';
            }
            return 200 '{"data":[{"id":"v1"},{"id":"v2"},{"id":"v3"}],"next_page":"n2"}';
        }

        location = /orgs {
            if ($arg_page = "2") {
                return 200 '{"data":[{"id":"o3"}]}';
            }
            if ($arg_page = "3") {
                return 200 '{"data":[]}';
            }
            return 200 '{"data":[{"id":"o1"},{"id":"o2"}]}';
        }

        location = /usage {
            if ($arg_after = "x2") {
                return 200 '{"data":[{"id":"x3"}],"has_more":false,"last_id":"x3"}';
            }
            return 200 '{"data":[{"id":"x1"},{"id":"x2"}],"has_more":true,"last_id":"x2"}';
        }

        location = /products {
            if ($arg_p = "2") {
                return 200 '[{"id":"p3"}]';
            }
            add_header Link '<https://api.example.com/products?p=2>; rel="next"';
            return 200 '[{"id":"p1"},{"id":"p2"}]';
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
        access_log logs/error.log um_done;
    }

    location /_um/pg/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
    }

    location /_um/pg2/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/two/;
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

=== TEST 1: a token in the query: three pages through next_cursor
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('users', $::A, 0, [0, 0, 't2']),
  "GET /unified/usage-metering/users?truto_ignore_remote_data=true&next_cursor=" . ::cursor('users', $::A, 0, [0, 0, 't3']) . "&integrated_account_id=pg-1" ]
--- response_body eval
[ '{"result":[{"id":"u1"},{"id":"u2"}],"next_cursor":"' . ::cursor('users', $::A, 0, [0, 0, 't2']) . '","result_count":2}',
  '{"result":[{"id":"u3"}],"next_cursor":"' . ::cursor('users', $::A, 0, [0, 0, 't3']) . '","result_count":1}',
  '{"result":[{"id":"u4"}],"next_cursor":null,"result_count":1}' ]
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]



=== TEST 2: a next-page URL, three pages: only its path and query, to the account's own location
--- request eval
[ "GET /unified/usage-metering/workspaces?integrated_account_id=pg-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/workspaces?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('workspaces', $::A, 0, [0, 0, '/workspaces?size=2&cursor=c2']),
  "GET /unified/usage-metering/workspaces?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('workspaces', $::A, 0, [0, 0, '/workspaces?size=2&cursor=c3']) ]
--- response_body eval
[ '{"result":[{"id":"w1"},{"id":"w2"}],"next_cursor":"' . ::cursor('workspaces', $::A, 0, [0, 0, '/workspaces?size=2&cursor=c2']) . '","result_count":2}',
  '{"result":[{"id":"w3"}],"next_cursor":"' . ::cursor('workspaces', $::A, 0, [0, 0, '/workspaces?size=2&cursor=c3']) . '","result_count":1}',
  '{"result":[{"id":"w4"}],"next_cursor":null,"result_count":1}' ]
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]



=== TEST 2b: the page after: the provider's path and query, on the same location
--- request eval
"GET /unified/usage-metering/workspaces?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('workspaces', $::A, 0, [0, 0, '/workspaces?size=2&cursor=c2'])
--- response_body eval
'{"result":[{"id":"w3"}],"next_cursor":"' . ::cursor('workspaces', $::A, 0, [0, 0, '/workspaces?size=2&cursor=c3']) . '","result_count":1}'
--- error_log
usage_metering: call GET /_um/pg/workspaces?size=2&cursor=c2



=== TEST 2c: the third page, from a link with another scheme, host and port: the same location still
--- request eval
"GET /unified/usage-metering/workspaces?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('workspaces', $::A, 0, [0, 0, '/workspaces?size=2&cursor=c3'])
--- response_body chomp
{"result":[{"id":"w4"}],"next_cursor":null,"result_count":1}
--- error_log
usage_metering: call GET /_um/pg/workspaces?size=2&cursor=c3



=== TEST 3: page numbers, until an empty page
--- request eval
[ "GET /unified/usage-metering/organizations?integrated_account_id=pg-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/organizations?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('organizations', $::A, 0, [0, 0, '2']),
  "GET /unified/usage-metering/organizations?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('organizations', $::A, 0, [0, 0, '3']) ]
--- response_body eval
[ '{"result":[{"id":"o1"},{"id":"o2"}],"next_cursor":"' . ::cursor('organizations', $::A, 0, [0, 0, '2']) . '","result_count":2}',
  '{"result":[{"id":"o3"}],"next_cursor":"' . ::cursor('organizations', $::A, 0, [0, 0, '3']) . '","result_count":1}',
  '{"result":[],"next_cursor":null,"result_count":0}' ]
--- error_code eval
[200, 200, 200]



=== TEST 4: has_more and the last id
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=pg-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/usage?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('usage', $::A, 0, [0, 0, 'x2']) ]
--- response_body eval
[ '{"result":[{"id":"x1"},{"id":"x2"}],"next_cursor":"' . ::cursor('usage', $::A, 0, [0, 0, 'x2']) . '","result_count":2}',
  '{"result":[{"id":"x3"}],"next_cursor":null,"result_count":1}' ]
--- error_code eval
[200, 200]



=== TEST 5: the Link header
--- request eval
[ "GET /unified/usage-metering/products?integrated_account_id=pg-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/products?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('products', $::A, 0, [0, 0, '/products?p=2']) ]
--- response_body eval
[ '{"result":[{"id":"p1"},{"id":"p2"}],"next_cursor":"' . ::cursor('products', $::A, 0, [0, 0, '/products?p=2']) . '","result_count":2}',
  '{"result":[{"id":"p3"}],"next_cursor":null,"result_count":1}' ]
--- error_code eval
[200, 200]



=== TEST 6: limit trims a page; the cursor resumes exactly after the last row given
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=pg-1&limit=1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&limit=1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('users', [@$::A, ['limit', '1']], 0, [0, 1, '']),
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&limit=1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('users', [@$::A, ['limit', '1']], 0, [0, 0, 't2']) ]
--- response_body eval
[ '{"result":[{"id":"u1"}],"next_cursor":"' . ::cursor('users', [@$::A, ['limit', '1']], 0, [0, 1, '']) . '","result_count":1}',
  '{"result":[{"id":"u2"}],"next_cursor":"' . ::cursor('users', [@$::A, ['limit', '1']], 0, [0, 0, 't2']) . '","result_count":1}',
  '{"result":[{"id":"u3"}],"next_cursor":"' . ::cursor('users', [@$::A, ['limit', '1']], 0, [0, 0, 't3']) . '","result_count":1}' ]
--- error_code eval
[200, 200, 200]



=== TEST 7: a cursor changed, from another request, or garbage is 400
--- request eval
my $c = ::cursor('users', $::A, 0, [0, 0, 't2']);
(my $t = $c) =~ s/^(.{20})(.)/$1 . ($2 eq 'A' ? 'B' : 'A')/e;
[ "GET /unified/usage-metering/users?integrated_account_id=pg-1&next_cursor=$t",
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&foo=bar&next_cursor=$c",
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&next_cursor=not-a-cursor!",
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&next_cursor=" . ::cursor('workspaces', $::A, 0, [0, 0, 't2']) ]
--- error_code eval
[400, 400, 400, 400]
--- response_body eval
[ '{"statusCode":400,"error":"Bad Request","message":"next_cursor is not valid"}',
  '{"statusCode":400,"error":"Bad Request","message":"next_cursor belongs to a request with other parameters"}',
  '{"statusCode":400,"error":"Bad Request","message":"next_cursor is not valid"}',
  '{"statusCode":400,"error":"Bad Request","message":"next_cursor belongs to a request with other parameters"}' ]
--- no_error_log
usage_metering: call



=== TEST 8: a cursor signed with another secret, or expired, is 400
--- http_config eval
$::HttpConfig =~ s/usage_metering_cursor_ttl     0;/usage_metering_cursor_ttl 1h;/r
--- request eval
local $::Secret = 'another-secret-0123456789abcdef0123';
my $foreign = ::cursor('users', $::A, time, [0, 0, 't2']);
$::Secret = 'test-cursor-secret-0123456789abcdef';
[ "GET /unified/usage-metering/users?integrated_account_id=pg-1&next_cursor=$foreign",
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&next_cursor=" . ::cursor('users', $::A, time - 7200, [0, 0, 't2']),
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('users', $::A, time - 60, [0, 0, 't3']) ]
--- error_code eval
[400, 400, 200]
--- response_body eval
[ '{"statusCode":400,"error":"Bad Request","message":"next_cursor is not valid"}',
  '{"statusCode":400,"error":"Bad Request","message":"next_cursor has expired"}',
  '{"result":[{"id":"u4"}],"next_cursor":null,"result_count":1}' ]



=== TEST 9: a provider that repeats its continuation: stop, log, isLooping
--- request eval
"GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_response_format=debug&next_cursor=" . ::cursor('users', $::A, 0, [0, 0, 'same'])
--- response_body_like: ^\{"result":\{"result":\[\{"id":"u9","remote_data":\{"id":"u9"\}\}\],"next_cursor":null,"result_count":1\},"debug":\{.*"nextCursor":null,"isLooping":true,"isEmptyResult":false,"resultCount":1\}\}$
--- error_log
the provider's next page is the page just read; stopping



=== TEST 10: stream: every page, sent as it comes, one JSON envelope
--- request
GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_response_format=stream&limit=1
--- response_headers
Transfer-Encoding: chunked
Content-Type: application/json
--- response_body chomp
{"result":[{"id":"u1","remote_data":{"id":"u1"}},{"id":"u2","remote_data":{"id":"u2"}},{"id":"u3","remote_data":{"id":"u3"}},{"id":"u4","remote_data":{"id":"u4"}}],"next_cursor":null,"result_count":4}
--- error_log
um-done: /unified/usage-metering/users?integrated_account_id=pg-1&truto_response_format=stream&limit=1 status=200 rows=4 completion="OK"
--- no_error_log
[error]
[warn]



=== TEST 10b: stream: back-pressure, the next page only when the client took the last
A client that takes the answer slowly (limit_rate holds what nginx sends
it): each page waits until the one before it has gone.
--- config eval
"limit_rate 40;\n" . $::Config
--- request
GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_response_format=stream&limit=1
--- response_body chomp
{"result":[{"id":"u1","remote_data":{"id":"u1"}},{"id":"u2","remote_data":{"id":"u2"}},{"id":"u3","remote_data":{"id":"u3"}},{"id":"u4","remote_data":{"id":"u4"}}],"next_cursor":null,"result_count":4}
--- error_log
usage_metering: stream: the client has not taken page 1 yet, page 2 waits
usage_metering: stream: the client took page 1
--- no_error_log
[error]
--- timeout: 15



=== TEST 11: stream as NDJSON: one record a line
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=pg-1&truto_response_format=stream&truto_ignore_remote_data=true
--- more_headers
Accept: application/x-ndjson
--- response_headers
Content-Type: application/x-ndjson
--- response_body
{"id":"w1"}
{"id":"w2"}
{"id":"w3"}
{"id":"w4"}



=== TEST 12: usage_metering_max_pages bounds a stream; its next_cursor continues it
--- config eval
"usage_metering_max_pages 2;\n" . $::Config
--- request
GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body eval
'{"result":[{"id":"u1"},{"id":"u2"},{"id":"u3"}],"next_cursor":"' . ::cursor('users', $::A, 0, [0, 0, 't3']) . '","result_count":3}'
--- error_log
the stream stops after 2 pages (usage_metering_max_pages)



=== TEST 13: a stream that fails after its first page ends without the last chunk
--- http_config eval
$::HttpConfig =~ s{return 200 '\{"data":\[\{"id":"u3"\}\],"next_page":"t3"\}';}{return 503 'down';}r
--- request
GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_response_format=stream&truto_ignore_remote_data=true
--- ignore_response
--- error_log
usage_metering: stream cut after 2 rows: the provider answered 503
um-done: /unified/usage-metering/users?integrated_account_id=pg-1&truto_response_format=stream&truto_ignore_remote_data=true status=200 rows=2 completion=""
--- no_error_log
completion="OK"



=== TEST 13b: the same over HTTP/1.0 (no chunks): the client gets the header and the rows sent, then the connection closes
--- http_config eval
$::HttpConfig =~ s{return 200 '\{"data":\[\{"id":"u3"\}\],"next_page":"t3"\}';}{return 503 'down';}r
--- request
GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_response_format=stream&truto_ignore_remote_data=true HTTP/1.0
--- response_headers
Content-Type: application/json
!Content-Length
!Transfer-Encoding
--- response_body chomp
{"result":[{"id":"u1"},{"id":"u2"}
--- error_log
usage_metering: stream cut after 2 rows: the provider answered 503



=== TEST 14: two accounts and limit: each next_cursor resumes every account exactly after its last row given
--- request eval
my $q = "GET /unified/usage-metering/users?integrated_account_id=pg-1&integrated_account_id=pg-2&limit=3&truto_ignore_remote_data=true";
my $p = [@$::A, ['integrated_account_id', 'pg-2'], ['limit', '3']];
[ $q,
  "$q&next_cursor=" . ::cursor('users', $p, 0, [0, 0, 't2'], [1, 1, '']),
  "$q&next_cursor=" . ::cursor('users', $p, 0, [0, 0, 't3'], [1, 0, 'n2']) ]
--- response_body eval
my $p = [@$::A, ['integrated_account_id', 'pg-2'], ['limit', '3']];
[ '{"result":[{"integrated_account_id":"pg-1","id":"u1"},{"integrated_account_id":"pg-1","id":"u2"},{"integrated_account_id":"pg-2","id":"v1"}],"next_cursor":"' . ::cursor('users', $p, 0, [0, 0, 't2'], [1, 1, '']) . '","result_count":3}',
  '{"result":[{"integrated_account_id":"pg-1","id":"u3"},{"integrated_account_id":"pg-2","id":"v2"},{"integrated_account_id":"pg-2","id":"v3"}],"next_cursor":"' . ::cursor('users', $p, 0, [0, 0, 't3'], [1, 0, 'n2']) . '","result_count":3}',
  '{"result":[{"integrated_account_id":"pg-1","id":"u4"},{"integrated_account_id":"pg-2","id":"v4"}],"next_cursor":null,"result_count":2}' ]
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]



=== TEST 15: usage_metering_cursor_secret read from a file (its trailing newline dropped)
--- user_files eval
$::Maps . ">>> cursor.secret\ntest-cursor-secret-0123456789abcdef\n"
--- http_config eval
$::HttpConfig =~ s{usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;}{usage_metering_cursor_secret  file:\$TEST_NGINX_HTML_DIR/cursor.secret;}r
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/users?integrated_account_id=pg-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('users', $::A, 0, [0, 0, 't2']) ]
--- response_body eval
[ '{"result":[{"id":"u1"},{"id":"u2"}],"next_cursor":"' . ::cursor('users', $::A, 0, [0, 0, 't2']) . '","result_count":2}',
  '{"result":[{"id":"u3"}],"next_cursor":"' . ::cursor('users', $::A, 0, [0, 0, 't3']) . '","result_count":1}' ]
--- error_code eval
[200, 200]



=== TEST 16: a cursor secret file with another secret: the cursor signed with the first one is refused
--- user_files eval
$::Maps . ">>> cursor.secret\nanother-cursor-secret-0123456789abcdef\n"
--- http_config eval
$::HttpConfig =~ s{usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;}{usage_metering_cursor_secret  file:\$TEST_NGINX_HTML_DIR/cursor.secret;}r
--- request eval
"GET /unified/usage-metering/users?integrated_account_id=pg-1&next_cursor=" . ::cursor('users', $::A, 0, [0, 0, 't2'])
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"next_cursor is not valid"}



=== TEST 17: a cursor secret file shorter than 32 characters fails nginx -t
--- user_files eval
$::Maps . ">>> cursor.secret\ntoo-short\n"
--- http_config eval
$::HttpConfig =~ s{usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;}{usage_metering_cursor_secret  file:\$TEST_NGINX_HTML_DIR/cursor.secret;}r
--- must_die
--- error_log eval
qr{\[emerg\] .*"usage_metering_cursor_secret" directive needs a secret of at least 32 characters}

