# Errors: bad requests, unknown accounts and resources, and every way the
# provider can fail.  Always the JSON shape of CONTRACT section 3.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

our $Accounts = <<'_EOC_';
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
    usage_metering_account   acc-1 provider=confluent upstream=/_um/confluent;
_EOC_

our $Locations = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/confluent/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
    }
_EOC_

our $Mock = <<'_EOC_';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 200 '{"data":[]}';
        }
    }
_EOC_

no_shuffle();
run_tests();

__DATA__

=== TEST 1: integrated_account_id is required
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage
--- error_code: 400
--- response_headers
Content-Type: application/json
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"integrated_account_id is required"}
--- no_error_log
[error]



=== TEST 2: an unknown account is 404, without saying more
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-2
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"integrated account not found"}



=== TEST 3: a bad start_date is 400 and no provider call is made
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-02-30
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"start_date must be an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ or with an offset)"}
--- no_error_log
usage_metering: call



=== TEST 4: end_date before start_date is 400
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-03-10&end_date=2024-03-01
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"end_date must not be before start_date"}



=== TEST 5: an unknown resource is 404 and names it
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- request
GET /unified/usage-metering/spend?integrated_account_id=acc-1
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"unknown resource \"spend\"; resources are organizations, products, usage, workspaces and users"}



=== TEST 6: a resource the provider does not have is 404 and names both
--- http_config eval
$::Accounts . "    usage_metering_account   acc-2 provider=datadog upstream=/_um/confluent;\n" . $::Mock
--- config eval: $::Locations
--- request
GET /unified/usage-metering/users?integrated_account_id=acc-2
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"resource \"users\" is not supported by provider \"datadog\""}



=== TEST 7: methods other than GET and HEAD are 405 with Allow
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- request
POST /unified/usage-metering/usage?integrated_account_id=acc-1
{"a":1}
--- error_code: 405
--- response_headers
Allow: GET, HEAD
--- response_body chomp
{"statusCode":405,"error":"Method Not Allowed","message":"only GET and HEAD are allowed"}



=== TEST 8: provider 500: 502 with its message and body
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 500 '{"errors":[{"id":"e1","status":"500","code":"internal","title":"Internal Server Error","detail":"billing is down"}]}';
        }
    }
}
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"billing is down","truto_is_remote_error":true,"raw_response":{"errors":[{"id":"e1","status":"500","code":"internal","title":"Internal Server Error","detail":"billing is down"}]}}
--- error_log
usage_metering: account "acc-1": the provider answered 500



=== TEST 9: provider 4xx: its status passes through; a text body is a string
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 403 'forbidden: "no billing role"';
        }
    }
}
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- error_code: 403
--- response_body chomp
{"statusCode":403,"error":"Forbidden","message":"the provider answered 403","truto_is_remote_error":true,"raw_response":"forbidden: \"no billing role\""}



=== TEST 10: provider answers HTML with 200: 502
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 200 '<html><body>maintenance</body></html>';
        }
    }
}
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer is not valid JSON (line 1, column 1)"}
--- error_log
usage_metering: account "acc-1": the provider's answer is not valid JSON



=== TEST 11: provider JSON without the records where the mapping expects them: 502
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 200 '{"data":{"id":"x"}}';
        }
    }
}
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer has no list of records where the mapping expects one"}



=== TEST 12: provider connection refused: 502
--- http_config eval: $::Accounts
--- config eval
$::Locations =~ s/RAND_PORT_1/RAND_PORT_2/r
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"the provider could not be reached or its answer was cut short"}
--- error_log
Connection refused
usage_metering: account "acc-1": the provider could not be reached



=== TEST 13: a body over usage_metering_max_body: 502, the cap is logged
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            alias $TEST_NGINX_HTML_DIR/big.json;
        }
    }
}
--- config eval
$::Locations . q{
    usage_metering_max_body 1k;
}
--- user_files eval
">>> big.json\n" . '{"data":[' . CORE::join(",", map { qq{{"id":"c$_"}} } 1 .. 200) . "]}\n"
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer is larger than usage_metering_max_body"}
--- error_log
the provider's answer is larger than usage_metering_max_body (1024 bytes)



=== TEST 14: a chunked body over the cap (no Content-Length) is refused as well
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            gzip off;
            chunked_transfer_encoding on;
            sub_filter_once off;
            sub_filter_types *;
            sub_filter 'ZZ' 'ZZ';
            alias $TEST_NGINX_HTML_DIR/big.json;
        }
    }
}
--- config eval
$::Locations . q{
    usage_metering_max_body 1k;
    proxy_http_version 1.1;
}
--- user_files eval
">>> big.json\n" . '{"data":[' . CORE::join(",", map { qq{{"id":"c$_"}} } 1 .. 200) . "]}\n"
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer is larger than usage_metering_max_body"}
