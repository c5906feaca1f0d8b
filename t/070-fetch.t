# The fetch engine: calls in parallel (bounded), several accounts in one
# answer, POST bodies, and the ways a provider fails, against real mocks
# on loopback (njs, for delays and broken answers).

use Test::Nginx::Socket 'no_plan';

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
>>> mock.js
function slow(r) {
    setTimeout(function () {
        r.return(200, JSON.stringify({ data: [{ id: r.args.who }] }));
    }, 600);
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

export default { slow, hang, cut, echo };
_EOC_

our $Main = "load_module /usr/lib/nginx/modules/ngx_http_js_module.so;";

our $HttpConfig = <<'_EOC_';
    js_import mock from $TEST_NGINX_HTML_DIR/mock.js;

    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account   s-a provider=slow upstream=/_um/s who=alice;
    usage_metering_account   s-b provider=slow upstream=/_um/s who=bob;
    usage_metering_account   o-1 provider=other upstream=/_um/s;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        keepalive_timeout 0;
        default_type application/json;

        location = /slow { js_content mock.slow; }
        location = /hang { js_content mock.hang; }
        location = /cut  { js_content mock.cut; }
        location = /echo { js_content mock.echo; }
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

no_shuffle();
run_tests();

__DATA__

=== TEST 1: two accounts in one answer: called in parallel, rows tagged
--- request
GET /unified/usage-metering/usage?integrated_account_id=s-a&integrated_account_id=s-b&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"integrated_account_id":"s-a","id":"alice"},{"integrated_account_id":"s-b","id":"bob"}],"next_cursor":null,"result_count":2}
--- error_log eval
[qr/usage_metering: round of 2 calls in ([0-9]|[1-9][0-9]|[1-9][0-9][0-9]|10[0-9][0-9]) ms/]
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
[qr/usage_metering: round of 2 calls in (1[2-9][0-9][0-9]|[2-9][0-9][0-9][0-9]) ms/]



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
