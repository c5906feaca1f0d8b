# Configuration mistakes fail at load ("nginx -t") with the file, the line
# and the reason; a good configuration loads.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a mapping expression error names file, line, column and field
--- http_config
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
--- config
--- user_files
>>> maps/bad.json
{
  "provider": "bad",
  "resources": { "usage": { "list": { "request": { "path": "/u" },
    "row": { "id": "id", "name": "display_name & )" } } } }
}
--- must_die
--- error_log eval
qr{\[emerg\] .*maps/bad\.json:4:50: resources\.usage\.list\.row\.name: }



=== TEST 2: a mapping that is not JSON names file, line and column
--- http_config
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
--- config
--- user_files
>>> maps/bad.json
{
  "provider": "bad",
  "resources": { ]
}
--- must_die
--- error_log eval
qr{\[emerg\] .*maps/bad\.json:3:18: }



=== TEST 3: an unknown variable in a mapping is caught at load
--- http_config
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
--- config
--- user_files
>>> maps/bad.json
{
  "provider": "bad",
  "resources": { "usage": { "list": { "request": { "path": "/u" },
    "row": { "id": "$acount.id" } } } }
}
--- must_die
--- error_log eval
qr{\[emerg\] .*maps/bad\.json:4:21: resources\.usage\.list\.row\.id: .*acount}



=== TEST 4: an unknown key in a mapping is caught at load
--- http_config
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
--- config
--- user_files
>>> maps/bad.json
{
  "provider": "bad",
  "resources": { "usage": { "list": { "request": { "path": "/u" },
    "rowz": { "id": "id" } } } }
}
--- must_die
--- error_log eval
qr{\[emerg\] .*maps/bad\.json:4:13: resources\.usage\.list\.rowz: unknown key "rowz"}



=== TEST 5: an account of an unknown provider
--- http_config
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
    usage_metering_account   acc-1 provider=confluant upstream=/_um/c;
--- config
--- must_die
--- error_log eval
qr{\[emerg\] .*usage_metering_account "acc-1" in .*nginx\.conf:\d+: unknown provider "confluant"}



=== TEST 6: a duplicate account
--- http_config
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
    usage_metering_account   acc-1 provider=confluent upstream=/_um/c;
    usage_metering_account   acc-1 provider=confluent upstream=/_um/d;
--- config
--- must_die
--- error_log eval
qr{\[emerg\] .*duplicate account "acc-1", first defined in .*nginx\.conf:\d+ in .*nginx\.conf:\d+}



=== TEST 7: an account without upstream
--- http_config
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
    usage_metering_account   acc-1 provider=confluent;
--- config
--- must_die
--- error_log eval
qr{\[emerg\] .*"usage_metering_account" directive needs upstream=<uri-prefix>}



=== TEST 8: accounts without usage_metering_mappings
--- http_config
    usage_metering_account   acc-1 provider=confluent upstream=/_um/c;
--- config
--- must_die
--- error_log eval
qr{\[emerg\] .*needs "usage_metering_mappings"}



=== TEST 9: a provider's required account parameter is checked
--- http_config
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account   acc-1 provider=p upstream=/_um/p;
--- config
--- user_files
>>> maps/p.json
{ "provider": "p", "account": { "params": ["org_id"] }, "resources": {} }
--- must_die
--- error_log eval
qr{\[emerg\] .*provider "p" needs the parameter "org_id=\.\.\."}



=== TEST 10: usage_metering in a regex location is refused
--- http_config
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
--- config
    location ~ ^/unified/ {
        usage_metering;
    }
--- must_die
--- error_log eval
qr{\[emerg\] .*"usage_metering" directive must be in a prefix location}



=== TEST 11: a secret read from a file reaches the provider, and a good config loads
--- http_config
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
    usage_metering_account   acc-1 provider=confluent upstream=/_um/c
                             org=o-1 key=file:$TEST_NGINX_HTML_DIR/key.txt;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            if ($http_x_key = "s3cr3t-from-file") {
                return 200 '{"data":[{"id":"key-ok|$http_x_org|$http_x_account"}]}';
            }

            return 200 '{"data":[{"id":"key-wrong"}]}';
        }
    }
--- config
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/c/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_set_header X-Key $usage_metering_account_key;
        proxy_set_header X-Org $usage_metering_account_org;
        proxy_set_header X-Account $usage_metering_account;
    }
--- user_files
>>> key.txt
s3cr3t-from-file
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"key-ok|o-1|acc-1"}],"next_cursor":null,"result_count":1}
--- no_error_log
[error]
