# Variables for log_format: what a unified request did.  The access log is
# written into error.log (access_log logs/error.log ...), so --- error_log
# checks it, with this runner and with the real Test::Nginx alike; a line
# is written before the connection closes, so it is there when the
# response has been read.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

our $Files = <<'_EOC_';
>>> maps/pager.json
{
  "provider": "pager",
  "resources": {
    "usage": {
      "list": {
        "request": { "path": "/pages" },
        "pagination": { "send": "query", "param": "page", "next": "next" },
        "records": "data",
        "row": { "id": "id" }
      }
    }
  }
}
>>> maps/slow.json
{
  "provider": "slow",
  "resources": {
    "usage": {
      "list": {
        "request": { "path": "/slow" },
        "records": "data",
        "row": { "id": "id" }
      }
    },
    "users": {
      "list": {
        "request": { "path": "/fail" },
        "records": "data",
        "row": { "id": "id" }
      }
    }
  }
}
>>> mock.js
function slow(r) {
    setTimeout(function () {
        r.return(200, '{"data":[{"id":"z"}]}');
    }, 300);
}

/* page 1, then page 2 with the next_cursor of page 1 */
async function pages(r) {
    var base = 'http://127.0.0.1:' + r.variables.server_port
               + '/unified/usage-metering/usage?integrated_account_id=p-1';
    var a = await ngx.fetch(base);
    var ja = await a.json();
    var b = await ngx.fetch(base + '&next_cursor='
                            + encodeURIComponent(ja.next_cursor));
    var jb = await b.json();

    r.return(200, ja.result_count + ' ' + jb.result_count + ' '
                  + (jb.next_cursor === null) + '\n');
}

export default { slow, pages };
_EOC_

our $Main = "load_module /usr/lib/nginx/modules/ngx_http_js_module.so;";

our $HttpConfig = <<'_EOC_';
    js_import mock from $TEST_NGINX_HTML_DIR/mock.js;

    log_format  umlog  'UMLOG $request_uri p=$usage_metering_provider '
                       'a=$usage_metering_account '
                       'calls=$usage_metering_calls '
                       'rows=$usage_metering_rows '
                       'time=$usage_metering_provider_time '
                       'cursor=$usage_metering_cursor';

    log_format  umsub  'UMSUB $uri p=$usage_metering_provider '
                       'a=$usage_metering_account';

    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account   p-1 provider=pager upstream=/_um/mock;
    usage_metering_account   p-2 provider=pager upstream=/_um/mock;
    usage_metering_account   s-1 provider=slow upstream=/_um/mock;

    map $arg_page $um_page {
        "2"      '{"data":[{"id":"c"},{"id":"d"}],"next":null}';
        default  '{"data":[{"id":"a"},{"id":"b"}],"next":"2"}';
    }

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        access_log off;

        location = /pages { return 200 $um_page; }
        location = /slow  { js_content mock.slow; }
        location = /fail  { return 500 '{"error":"down"}'; }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
        access_log  logs/error.log  umlog;
    }

    location /_um/mock/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
    }

    location = /t {
        access_log off;
        js_content mock.pages;
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

=== TEST 1: a list: its provider, account, one call, its rows, no cursor
--- request
GET /unified/usage-metering/usage?integrated_account_id=p-1
--- response_body_like: ^\{"result":\[\{"id":"a",.*\{"id":"b",.*\],"next_cursor":"[^"]+","result_count":2\}$
--- error_log eval
[qr/^UMLOG \/unified\/usage-metering\/usage\?integrated_account_id=p-1 p=pager a=p-1 calls=1 rows=2 time=[0-9]+ cursor=0$/m]
--- no_error_log
[error]



=== TEST 2: the next page, with the first page's cursor: cursor=1
--- request
GET /t
--- response_body
2 2 true
--- error_log eval
[qr/^UMLOG \S+integrated_account_id=p-1 p=pager a=p-1 calls=1 rows=2 time=[0-9]+ cursor=0$/m,
 qr/^UMLOG \S+integrated_account_id=p-1&next_cursor=\S+ p=pager a=p-1 calls=1 rows=2 time=[0-9]+ cursor=1$/m]
--- no_error_log
[error]



=== TEST 3: provider time: the upstream time of the calls, in ms
--- request
GET /unified/usage-metering/usage?integrated_account_id=s-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"z"}],"next_cursor":null,"result_count":1}
--- error_log eval
[qr/^UMLOG \S+ p=slow a=s-1 calls=1 rows=1 time=(?:[3-9][0-9]{2}|[1-4][0-9]{3}) cursor=0$/m]



=== TEST 4: several accounts: every account, each provider once, every call
--- request
GET /unified/usage-metering/usage?integrated_account_id=p-1&integrated_account_id=s-1&integrated_account_id=p-2&truto_ignore_remote_data=true
--- response_body_like: "result_count":5\}$
--- error_log eval
[qr/^UMLOG \S+ p=pager,slow a=p-1,s-1,p-2 calls=3 rows=5 time=(?:[3-9][0-9]{2}|[1-4][0-9]{3}) cursor=0$/m]



=== TEST 5: a stream: every page's call and row
--- request
GET /unified/usage-metering/usage?integrated_account_id=p-1&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d"}],"next_cursor":null,"result_count":4}
--- error_log eval
[qr/^UMLOG \S+ p=pager a=p-1 calls=2 rows=4 time=[0-9]+ cursor=0$/m]



=== TEST 6: a request refused before any account: no provider, no call
--- request
GET /unified/usage-metering/usage?limit=2
--- error_code: 400
--- error_log eval
[qr/^UMLOG \S+ p=- a=- calls=0 rows=0 time=0 cursor=0$/m]



=== TEST 7: a request with a cursor that is refused still says it came with one
--- request
GET /unified/usage-metering/usage?integrated_account_id=p-1&next_cursor=not-a-cursor
--- error_code: 400
--- error_log eval
[qr/^UMLOG \S+ p=pager a=p-1 calls=0 rows=0 time=0 cursor=1$/m]



=== TEST 8: a provider error: one call, no rows
--- request
GET /unified/usage-metering/users?integrated_account_id=s-1
--- error_code: 502
--- error_log eval
[qr/^UMLOG \S+ p=slow a=s-1 calls=1 rows=0 time=[0-9]+ cursor=0$/m]



=== TEST 9: the API's documents make no call: the variables are empty
--- request
GET /unified/usage-metering/openapi.json
--- error_log eval
[qr/^UMLOG \/unified\/usage-metering\/openapi.json p=- a=- calls=- rows=- time=- cursor=-$/m]



=== TEST 10: ... nor does a meta endpoint
--- request
GET /unified/usage-metering/usage/pager/meta/list
--- error_log eval
[qr/^UMLOG \/unified\/usage-metering\/usage\/pager\/meta\/list p=- a=- calls=- rows=- time=- cursor=-$/m]



=== TEST 11: in a provider call (log_subrequest), the call's own account
--- config
    location /unified/usage-metering/ {
        usage_metering;
        access_log  logs/error.log  umlog;
    }

    location /_um/mock/ {
        internal;
        log_subrequest on;
        access_log  logs/error.log  umsub;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
    }
--- request
GET /unified/usage-metering/usage?integrated_account_id=p-1&integrated_account_id=s-1
--- response_body_like: "result_count":3\}$
--- error_log eval
[qr/^UMSUB \/_um\/mock\/pages p=pager a=p-1$/m,
 qr/^UMSUB \/_um\/mock\/slow p=slow a=s-1$/m,
 qr/^UMLOG \S+ p=pager,slow a=p-1,s-1 calls=2 rows=3 time=[0-9]+ cursor=0$/m]
