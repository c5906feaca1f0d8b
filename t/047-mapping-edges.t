# Mapping semantics at the edges: request expressions never see the page
# before theirs, POST bodies across pages (token in the body, next URL),
# constant parts of a request body, a get that maps to nothing, the clock
# of rate_limit expressions.  The mock (njs) echoes what it was sent.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

our $Files = <<'_EOC_';
>>> maps/gaps.json
{
  "provider": "gaps",
  "rate_limit": { "reset": "$string($number(`x-reset-at`) - $toSeconds($millis()))" },
  "resources": {
    "usage": {
      "list": {
        "request": { "method": "POST", "path": "/echo", "body": { "page": "$cursor ? $number($cursor) : 1", "team": "'blue'" } },
        "pagination": { "send": "body", "param": "page", "next": "data[0].n < 2 ? data[0].n + 1" },
        "records": "data",
        "row": { "id": "id", "body": "body" }
      }
    },
    "users": {
      "list": {
        "request": { "method": "POST", "path": "/echo", "body": { "team": "'blue'", "k": "$account.k" } },
        "pagination": { "send": "url", "next": "data[0].n < 2 ? '/echo?p=2'" },
        "records": "data",
        "row": { "id": "id", "body": "body", "uri": "uri" }
      }
    },
    "organizations": {
      "list": {
        "request": { "path": "/echo", "query": { "q": "$record.method" } },
        "pagination": { "send": "query", "param": "p", "next": "data[0].n < 2 ? data[0].n + 1" },
        "records": "data",
        "row": { "id": "id", "uri": "uri" }
      }
    },
    "products": {
      "get": {
        "request": { "path": "/echo", "query": { "id": "$id" } },
        "rows": [ { "when": "x = 'never'", "row": { "id": "x" } } ]
      },
      "list": {
        "request": { "method": "POST", "path": "/echo", "body": { "filter": { "team": "'blue'" }, "limit": "$limit" } },
        "records": "data",
        "row": { "id": "id", "body": "body" }
      }
    },
    "workspaces": {
      "list": {
        "request": { "path": "/echo", "query": { "q": "$$.x" } },
        "pagination": { "send": "query", "param": "p", "next": "data[0].n < 2 ? data[0].n + 1" },
        "records": "data",
        "row": { "id": "id", "uri": "uri" }
      }
    }
  }
}
>>> mock.js
function echo(r) {
    var b = {};
    try { b = JSON.parse(r.requestText || '{}'); } catch (e) {}
    var n = Number(b.page || r.args.p || r.args.page || 1);
    r.headersOut['X-Reset-At'] = String(Math.floor(Date.now() / 1000) + 30);
    r.return(200, JSON.stringify({ x: 'fromprev' + n, data: [{ id: 'e' + n, n: n, method: r.method, uri: r.variables.request_uri,
        body: r.requestText || undefined }] }));
}
export default { echo };
_EOC_

our $Main = "load_module /usr/lib/nginx/modules/ngx_http_js_module.so;";

our $HttpConfig = <<'_EOC_';
    js_import mock from $TEST_NGINX_HTML_DIR/mock.js;

    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account   g-1 provider=gaps upstream=/_um/p k=v;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        location /echo { js_content mock.echo; }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/p/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_set_header Content-Type application/json;
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

no_shuffle();
run_tests();

__DATA__

=== TEST 1: send body: a template field of the token's name is the template's (a number here), not appended again
--- request
GET /unified/usage-metering/usage?integrated_account_id=g-1&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"e1","body":"{\"page\":1,\"team\":\"blue\"}"},{"id":"e2","body":"{\"page\":2,\"team\":\"blue\"}"}],"next_cursor":null,"result_count":2}
--- no_error_log
[alert]
[error]



=== TEST 2: send url with POST: the next page keeps its body
--- request
GET /unified/usage-metering/users?integrated_account_id=g-1&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"e1","body":"{\"team\":\"blue\",\"k\":\"v\"}","uri":"/echo"},{"id":"e2","body":"{\"team\":\"blue\",\"k\":\"v\"}","uri":"/echo?p=2"}],"next_cursor":null,"result_count":2}
--- no_error_log
[alert]
zero size buf



=== TEST 3: $$ in a request expression is undefined, on every page
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=g-1&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"e1","uri":"/echo"},{"id":"e2","uri":"/echo?p=2"}],"next_cursor":null,"result_count":2}



=== TEST 4: $record in a request expression is undefined, on every page
--- request
GET /unified/usage-metering/organizations?integrated_account_id=g-1&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"e1","uri":"/echo"},{"id":"e2","uri":"/echo?p=2"}],"next_cursor":null,"result_count":2}



=== TEST 5: $millis() in rate_limit is the request's time: the reset is 30 s away, not 1.8e9
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=g-1&truto_ignore_remote_data=true
--- response_headers_like
ratelimit-reset: (29|30|31)



=== TEST 6: a request body keeps its constant parts when every computed part is missing
--- request
GET /unified/usage-metering/products?integrated_account_id=g-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"e1","body":"{\"filter\":{\"team\":\"blue\"}}"}],"next_cursor":null,"result_count":1}



=== TEST 7: ... and has the computed ones when present
--- request
GET /unified/usage-metering/products?integrated_account_id=g-1&truto_ignore_remote_data=true&limit=5
--- response_body chomp
{"result":[{"id":"e1","body":"{\"filter\":{\"team\":\"blue\"},\"limit\":5}"}],"next_cursor":null,"result_count":1}



=== TEST 8: a get whose answer maps to no record is a 404
--- request
GET /unified/usage-metering/products/p-1?integrated_account_id=g-1
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"record p-1 not found"}
