# API keys of the unified API (all accounts or some), the debug envelope
# (with every credential redacted), the provider's rate-limit state and
# Retry-After, all the shaping options at once, and the size cap of the
# answer.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

our $Maps = <<'_EOC_';
>>> maps/test.json
{
  "provider": "test",
  "errors": { "message": "error.message" },
  "rate_limit": {
    "limit": "`x-quota-limit`",
    "remaining": "`x-quota-left`",
    "reset": "$string($number(`x-quota-reset-min`) * 60)"
  },
  "resources": {
    "users": {
      "list": {
        "request": { "path": "/users", "query": { "page_size": "$limit" } },
        "records": "items",
        "row": {
          "id": "id",
          "name": "name",
          "organization": { "id": "org.id", "name": "org.name" }
        }
      }
    }
  }
}
>>> maps/plain.json
{
  "provider": "plain",
  "resources": {
    "users": {
      "list": {
        "request": { "path": "/users" },
        "records": "items",
        "row": { "id": "id" }
      }
    }
  }
}
>>> key.txt
key-from-file-0123456789
_EOC_

our $HttpConfig = <<'_EOC_';
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account   t-1 provider=test upstream=/_um/test
                             api_key=sk-test-secret-value region=eu;
    usage_metering_account   t-2 provider=test upstream=/_um/test
                             api_key=sk-other-secret-value;
    usage_metering_account   p-1 provider=plain upstream=/_um/test;

    # what the provider received, in the error log, whatever the log level
    log_format  mock_got  'mock-got: $request';

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        access_log logs/error.log mock_got;

        location = /users {
            add_header X-Quota-Limit 100;
            add_header X-Quota-Left 7;
            add_header X-Quota-Reset-Min 2;
            add_header Set-Cookie "session=sk-test-secret-value";
            return 200 '{"items":[{"id":"u1","name":"One","org":{"id":"o1","name":"Org"}},{"id":"u2","name":"Two","org":{"id":"o2"}}],"next":"p2"}';
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/test/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_set_header Host api.test.example;
        proxy_set_header Authorization "Bearer $usage_metering_account_api_key";
        proxy_set_header X-Region $usage_metering_account_region;
        proxy_set_header Accept application/json;
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

=== TEST 1: keys configured: no key is 401 with WWW-Authenticate
--- config eval
"usage_metering_api_key unified-key-0123456789;\n" . $::Config
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1
--- error_code: 401
--- response_headers
WWW-Authenticate: Bearer
--- response_body chomp
{"statusCode":401,"error":"Unauthorized","message":"a valid API key is required: Authorization: Bearer <key>"}
--- no_error_log
usage_metering: call



=== TEST 2: a wrong key, or another scheme, is 401 too
--- config eval
"usage_metering_api_key unified-key-0123456789;\n" . $::Config
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=t-1",
  "GET /unified/usage-metering/users?integrated_account_id=t-1",
  "GET /unified/usage-metering/users?integrated_account_id=t-1" ]
--- more_headers eval
[ "Authorization: Bearer unified-key-012345678",
  "Authorization: Basic dW5pZmllZC1rZXktMDEyMzQ1Njc4OQ==",
  "Authorization: Bearer unified-key-01234567899" ]
--- error_code eval
[401, 401, 401]
--- no_error_log
usage_metering: call



=== TEST 3: a right key passes; the client's Authorization never reaches the provider
--- config eval
"usage_metering_api_key unified-key-0123456789;\n" . $::Config
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&truto_ignore_remote_data=true
--- more_headers
Authorization: Bearer unified-key-0123456789
--- response_body chomp
{"result":[{"id":"u1","name":"One","organization":{"id":"o1","name":"Org"}},{"id":"u2","name":"Two","organization":{"id":"o2"}}],"next_cursor":null,"result_count":2}



=== TEST 4: keys stored as SHA-256 digests and read from files
--- config eval
"usage_metering_api_key sha256:60db59534f675e2d5a6dad8ef458b317a34536684204fd1102f2d11e63f7c66b;\n"
. "usage_metering_api_key file:\$TEST_NGINX_HTML_DIR/key.txt;\n" . $::Config
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=t-1&truto_exclude_fields=name,organization,remote_data",
  "GET /unified/usage-metering/users?integrated_account_id=t-1&truto_exclude_fields=name,organization,remote_data",
  "GET /unified/usage-metering/users?integrated_account_id=t-1&truto_exclude_fields=name,organization,remote_data" ]
--- more_headers eval
[ "Authorization: Bearer hashed-key-abcdefghijkl",
  "Authorization: bearer key-from-file-0123456789",
  "Authorization: Bearer 60db59534f675e2d5a6dad8ef458b317a34536684204fd1102f2d11e63f7c66b" ]
--- error_code eval
[200, 200, 401]
--- response_body eval
[ '{"result":[{"id":"u1"},{"id":"u2"}],"next_cursor":null,"result_count":2}',
  '{"result":[{"id":"u1"},{"id":"u2"}],"next_cursor":null,"result_count":2}',
  '{"statusCode":401,"error":"Unauthorized","message":"a valid API key is required: Authorization: Bearer <key>"}' ]



=== TEST 5: a key limited to some accounts: others answer 404 like unknown ones
--- config eval
"usage_metering_api_key unified-key-0123456789 accounts=t-2,p-1;\n" . $::Config
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=t-1",
  "GET /unified/usage-metering/users?integrated_account_id=nope",
  "GET /unified/usage-metering/users?integrated_account_id=p-1&truto_ignore_remote_data=true" ]
--- more_headers eval
[ ("Authorization: Bearer unified-key-0123456789") x 3 ]
--- error_code eval
[404, 404, 200]
--- response_body eval
[ '{"statusCode":404,"error":"Not Found","message":"integrated account not found"}',
  '{"statusCode":404,"error":"Not Found","message":"integrated account not found"}',
  '{"result":[{"id":"u1"},{"id":"u2"}],"next_cursor":null,"result_count":2}' ]



=== TEST 6: a key shorter than 16 characters fails nginx -t
--- config eval
"usage_metering_api_key short;\n" . $::Config
--- must_die
--- error_log eval
qr{\[emerg\] .*"usage_metering_api_key" directive needs a key of at least 16 characters}



=== TEST 7: the provider's rate-limit state, normalised by the mapping
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&truto_ignore_remote_data=true
--- response_headers
ratelimit-limit: 100
ratelimit-remaining: 7
ratelimit-reset: 120
!Set-Cookie
!X-Quota-Limit



=== TEST 8: the common x-ratelimit-* headers by default; Retry-After forwarded
--- http_config eval
$::HttpConfig =~ s{add_header X-Quota-Limit 100;}{add_header X-RateLimit-Limit 50 always; add_header X-RateLimit-Remaining 0 always; add_header X-RateLimit-Reset 30 always; add_header Retry-After 30 always; return 429 '{"error":{"message":"slow down"}}';}r
--- request
GET /unified/usage-metering/users?integrated_account_id=p-1
--- error_code: 429
--- response_headers
Retry-After: 30
ratelimit-limit: 50
ratelimit-remaining: 0
ratelimit-reset: 30
--- response_body chomp
{"statusCode":429,"error":"Too Many Requests","message":"the provider answered 429","truto_is_remote_error":true,"raw_response":{"error":{"message":"slow down"}}}



=== TEST 9: debug: the unified answer and the call, credentials redacted
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&limit=2&truto_response_format=debug
--- response_body_like eval
qr/^(?![\s\S]*sk-test-secret)\{"result":\{"result":\[\{"id":"u1","name":"One","organization":\{"id":"o1","name":"Org"\},"remote_data":\{"id":"u1","name":"One","org":\{"id":"o1","name":"Org"\}\}\},\{"id":"u2","name":"Two","organization":\{"id":"o2"\},"remote_data":\{"id":"u2","name":"Two","org":\{"id":"o2"\}\}\}\],"next_cursor":null,"result_count":2\},"debug":\{"requestUrl":"http:\/\/api\.test\.example\/users\?page_size=2","requestOptions":\{"method":"GET","headers":\{"host":"api\.test\.example","authorization":"\[REDACTED\]","x-region":"\[REDACTED\]","accept":"application\/json","connection":"close"\}\},"data":\{"items":\[\{"id":"u1","name":"One","org":\{"id":"o1","name":"Org"\}\},\{"id":"u2","name":"Two","org":\{"id":"o2"\}\}\],"next":"p2"\},"responseHeaders":\{"content-type":"application\/json",.*"x-quota-limit":"100","x-quota-left":"7","x-quota-reset-min":"2","set-cookie":"\[REDACTED\]"\},"nextCursor":null,"isLooping":false,"isEmptyResult":false,"resultCount":2\}\}$/
--- no_error_log eval
[qr/\[(?:info|notice|warn|error|crit|alert|emerg)\].*sk-test-secret/]



=== TEST 10: everything at once: key_by, exclude_fields, ignore_remote_data, debug
--- request
GET /unified/usage-metering/users?integrated_account_id=t-2&truto_key_by=id&truto_exclude_fields=organization.name&truto_ignore_remote_data=true&truto_response_format=debug
--- response_body_like eval
qr/^(?![\s\S]*sk-other-secret)\{"result":\{"result":\{"u1":\{"id":"u1","name":"One","organization":\{"id":"o1"\}\},"u2":\{"id":"u2","name":"Two","organization":\{"id":"o2"\}\}\},"next_cursor":null,"result_count":2\},"debug":\{"requestUrl":"http:\/\/api\.test\.example\/users","requestOptions":\{"method":"GET","headers":\{[^}]*"authorization":"\[REDACTED\]"[^}]*\}\},"data":\{"items":.*,"nextCursor":null,"isLooping":false,"isEmptyResult":false,"resultCount":2\}\}$/



=== TEST 11: accounts=* allows every account, several in one request
--- config eval
"usage_metering_api_key unified-key-0123456789 accounts=*;\n"
. "usage_metering_api_key limited-key-0123456789 accounts=t-2;\n" . $::Config
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&integrated_account_id=t-2&integrated_account_id=p-1&truto_exclude_fields=name,organization,remote_data
--- more_headers
Authorization: Bearer unified-key-0123456789
--- response_body chomp
{"result":[{"integrated_account_id":"t-1","id":"u1"},{"integrated_account_id":"t-1","id":"u2"},{"integrated_account_id":"t-2","id":"u1"},{"integrated_account_id":"t-2","id":"u2"},{"integrated_account_id":"p-1","id":"u1"},{"integrated_account_id":"p-1","id":"u2"}],"next_cursor":null,"result_count":6}
--- error_log
mock-got: GET /users HTTP/1.0



=== TEST 12: several accounts, one the key may not use: 404 exactly as for an unknown account, whatever the order; nothing is called
--- config eval
"usage_metering_api_key unified-key-0123456789 accounts=*;\n"
. "usage_metering_api_key limited-key-0123456789 accounts=t-2;\n" . $::Config
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=t-2&integrated_account_id=t-1",
  "GET /unified/usage-metering/users?integrated_account_id=t-1&integrated_account_id=t-2",
  "GET /unified/usage-metering/users?integrated_account_id=t-2&integrated_account_id=nope",
  "GET /unified/usage-metering/users?integrated_account_id=t-2&integrated_account_id=p-1&truto_response_format=debug" ]
--- more_headers eval
[ ("Authorization: Bearer limited-key-0123456789") x 4 ]
--- error_code eval
[404, 404, 404, 404]
--- response_body eval
[ ('{"statusCode":404,"error":"Not Found","message":"integrated account not found"}') x 4 ]
--- no_error_log
mock-got:
usage_metering: call





=== TEST 13: an answer over usage_metering_max_response is 502, whatever the format built in memory
--- config eval
"usage_metering_max_response 100;\n" . $::Config
--- request eval
[ map { "GET /unified/usage-metering/users?integrated_account_id=t-1&truto_response_format=$_" } qw(unified normalized debug) ]
--- error_code eval
[502, 502, 502]
--- response_body eval
[ ('{"statusCode":502,"error":"Bad Gateway","message":"the unified answer is larger than usage_metering_max_response"}') x 3 ]
--- error_log
usage_metering: account "t-1": the unified answer is larger than usage_metering_max_response (100 bytes)



=== TEST 14: usage_metering_max_response does not bound a stream (one page at a time) nor raw (the provider's body)
--- config eval
"usage_metering_max_response 100;\n" . $::Config
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=t-1&truto_response_format=stream",
  "GET /unified/usage-metering/users?integrated_account_id=t-1&truto_response_format=raw" ]
--- response_body eval
[ '{"result":[{"id":"u1","name":"One","organization":{"id":"o1","name":"Org"},"remote_data":{"id":"u1","name":"One","org":{"id":"o1","name":"Org"}}},{"id":"u2","name":"Two","organization":{"id":"o2"},"remote_data":{"id":"u2","name":"Two","org":{"id":"o2"}}}],"next_cursor":null,"result_count":2}',
  '{"items":[{"id":"u1","name":"One","org":{"id":"o1","name":"Org"}},{"id":"u2","name":"Two","org":{"id":"o2"}}],"next":"p2"}' ]
--- no_error_log
[error]



=== TEST 15: usage_metering_max_response 0 fails nginx -t
--- config eval
"usage_metering_max_response 0;\n" . $::Config
--- must_die
--- error_log eval
qr{\[emerg\] .*"usage_metering_max_response" must not be 0}

