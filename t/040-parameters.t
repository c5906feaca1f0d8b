# Every unified parameter and response format of CONTRACT section 3, on a
# test provider defined here, so that the request layer is checked apart
# from any real provider's mapping; hostile ids and parameters, with what
# the provider received (or that it received nothing).

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

our $Maps = <<'_EOC_';
>>> maps/test.json
{
  "provider": "test",
  "errors": { "message": "error.message" },
  "resources": {
    "users": {
      "list": {
        "request": {
          "path": "/users",
          "query": {
            "date": "$query.date",
            "user": "$query.user_id",
            "foo": "$query.foo",
            "page_size": "$limit",
            "tags[]": "$query.tags"
          }
        },
        "records": "items",
        "row": {
          "id": "id",
          "name": "name",
          "emails": [ { "email": "email", "is_primary": true } ],
          "organization": { "id": "org.id", "name": "org.name" }
        }
      },
      "get": {
        "request": { "path": "/users/{$id}" },
        "records": "user",
        "row": { "id": "id", "name": "name" }
      }
    },
    "products": {
      "list": {
        "static": [
          { "id": "p1", "name": "Product One" },
          { "id": "p2", "name": "Product Two", "description": "the second" }
        ]
      }
    }
  }
}
_EOC_

our $HttpConfig = <<'_EOC_';
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account   t-1 provider=test upstream=/_um/test;

    # what the provider received, in the error log: a test can say that a
    # request reached it, or that nothing did, whatever the log level
    log_format  mock_got  'mock-got: $request';

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        access_log logs/error.log mock_got;

        location = /users {
            return 200 '{"items":[{"id":"u1","name":"One","email":"one@example.com","org":{"id":"o1","name":"Org"}},{"id":"u2","name":"$args","org":{"id":"o2"},"note":null}]}';
        }

        location /users/ {
            return 200 '{"user":{"id":"$request_uri","name":"Got"}}';
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

=== TEST 1: unified (the default): rows with remote_data, absent values omitted
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1
--- response_body chomp
{"result":[{"id":"u1","name":"One","emails":[{"email":"one@example.com","is_primary":true}],"organization":{"id":"o1","name":"Org"},"remote_data":{"id":"u1","name":"One","email":"one@example.com","org":{"id":"o1","name":"Org"}}},{"id":"u2","name":"","organization":{"id":"o2"},"remote_data":{"id":"u2","name":"","org":{"id":"o2"},"note":null}}],"next_cursor":null,"result_count":2}
--- no_error_log
[error]



=== TEST 2: date, user_id and any other parameter reach the mapping; arrays in brackets
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&date=2024-03-05&user_id=user_9&foo=b%20r&tags[]=x&tags[]=y%26z&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"u1","name":"One","emails":[{"email":"one@example.com","is_primary":true}],"organization":{"id":"o1","name":"Org"}},{"id":"u2","name":"date=2024-03-05&user=user_9&foo=b%20r&tags%5B%5D=x&tags%5B%5D=y%26z","organization":{"id":"o2"}}],"next_cursor":null,"result_count":2}



=== TEST 3: limit is the provider's page size; truto_ignore_limit drops it
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=t-1&limit=25&truto_response_format=normalized",
  "GET /unified/usage-metering/users?integrated_account_id=t-1&limit=25&truto_ignore_limit=true&truto_response_format=normalized" ]
--- response_body eval
[ '{"result":[{"id":"u1","name":"One","emails":[{"email":"one@example.com","is_primary":true}],"organization":{"id":"o1","name":"Org"}},{"id":"u2","name":"page_size=25","organization":{"id":"o2"}}],"next_cursor":null,"result_count":2}',
  '{"result":[{"id":"u1","name":"One","emails":[{"email":"one@example.com","is_primary":true}],"organization":{"id":"o1","name":"Org"}},{"id":"u2","name":"","organization":{"id":"o2"}}],"next_cursor":null,"result_count":2}' ]
--- error_code eval
[200, 200]



=== TEST 4: remote_query overrides the mapped value, decoded and re-encoded
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&foo=mapped&remote_query[foo]=a%26b%3Dc%20d&remote_query[filter][kind]=x%0D%0Ay&truto_response_format=normalized
--- response_body chomp
{"result":[{"id":"u1","name":"One","emails":[{"email":"one@example.com","is_primary":true}],"organization":{"id":"o1","name":"Org"}},{"id":"u2","name":"foo=a%26b%3Dc%20d&filter%5Bkind%5D=x%0D%0Ay","organization":{"id":"o2"}}],"next_cursor":null,"result_count":2}



=== TEST 5: truto_key_by makes result an object keyed by that field
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&truto_key_by=id&truto_ignore_remote_data=true
--- response_body chomp
{"result":{"u1":{"id":"u1","name":"One","emails":[{"email":"one@example.com","is_primary":true}],"organization":{"id":"o1","name":"Org"}},"u2":{"id":"u2","name":"","organization":{"id":"o2"}}},"next_cursor":null,"result_count":2}



=== TEST 6: truto_exclude_fields, bracket and comma forms, dotted paths
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&truto_exclude_fields[]=emails&truto_exclude_fields[]=organization.name&truto_exclude_fields=remote_data,name
--- response_body chomp
{"result":[{"id":"u1","organization":{"id":"o1"}},{"id":"u2","organization":{"id":"o2"}}],"next_cursor":null,"result_count":2}



=== TEST 7: normalized is unified without remote_data
--- request
GET /unified/usage-metering/users/abc?integrated_account_id=t-1&truto_response_format=normalized
--- response_body chomp
{"id":"/users/abc","name":"Got"}



=== TEST 8: get answers the object itself, with remote_data
--- request
GET /unified/usage-metering/users/abc?integrated_account_id=t-1
--- response_headers
Content-Type: application/json
--- response_body chomp
{"id":"/users/abc","name":"Got","remote_data":{"id":"/users/abc","name":"Got"}}



=== TEST 9: raw is the provider's body and status, unchanged
--- http_config eval
$::HttpConfig =~ s{return 200 '\{"items"}{return 201 '\{"items"}r
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&truto_response_format=raw
--- error_code: 201
--- response_headers
Content-Type: application/json
--- response_body chomp
{"items":[{"id":"u1","name":"One","email":"one@example.com","org":{"id":"o1","name":"Org"}},{"id":"u2","name":"","org":{"id":"o2"},"note":null}]}



=== TEST 10: a static list answers without a provider call
--- request
GET /unified/usage-metering/products?integrated_account_id=t-1
--- response_body chomp
{"result":[{"id":"p1","name":"Product One"},{"id":"p2","name":"Product Two","description":"the second"}],"next_cursor":null,"result_count":2}
--- no_error_log
usage_metering: call



=== TEST 11: truto_skip_api_call makes no call; debug is null then
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&truto_skip_api_call=true&truto_response_format=debug
--- response_body chomp
{"result":{"result":[],"next_cursor":null,"result_count":0},"debug":null}
--- no_error_log
usage_metering: call



=== TEST 12: unknown truto_response_format is 400
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&truto_response_format=xml
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"truto_response_format must be one of unified, normalized, raw, stream, debug"}



=== TEST 13: limit must be a positive integer
--- request eval
[ map { "GET /unified/usage-metering/users?integrated_account_id=t-1&limit=$_" } qw(-1 0 1e9 abc 10001) ]
--- error_code eval
[400, 400, 400, 400, 400]
--- response_body eval
[ ('{"statusCode":400,"error":"Bad Request","message":"limit must be an integer from 1 to 10000"}') x 5 ]
--- no_error_log
usage_metering: call



=== TEST 14: a boolean parameter takes true or false
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&truto_ignore_remote_data=yes
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"truto_ignore_remote_data must be true or false"}



=== TEST 15: the same parameter twice is 400
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&start_date=2024-01-01&start_date=2024-02-01
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"parameter \"start_date\" is given more than once"}



=== TEST 16: date-times with any UTC offset
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&start_date=2024-03-01T10:00:00%2B05:30&end_date=2024-03-01T04:30:00Z&truto_response_format=normalized
--- response_body_like: ^\{"result":\[



=== TEST 17: end_date before start_date, once the offsets are applied, is 400
--- request
GET /unified/usage-metering/users?integrated_account_id=t-1&start_date=2024-03-01T10:00:00%2B05:30&end_date=2024-03-01T04:29:59Z
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"end_date must not be before start_date"}



=== TEST 18: a get is answered for an id the provider path can take, escaped
--- request
GET /unified/usage-metering/users/a%20b%3Fc%23d%25e?integrated_account_id=t-1&truto_response_format=normalized
--- response_body chomp
{"id":"/users/a%20b%3Fc%23d%25e","name":"Got"}



=== TEST 19: an id with "/" in it (even encoded) is 400
--- request
GET /unified/usage-metering/users/a%2Fb?integrated_account_id=t-1
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"the id must not contain \"/\" or \"\\\""}
--- no_error_log
usage_metering: call



=== TEST 20: dot segments never reach the provider; CRLF in the id is 400
--- request eval
[ "GET /unified/usage-metering/users/%2E%2E?integrated_account_id=t-1",
  "GET /unified/usage-metering/users/a%0D%0AX-Injected:%201?integrated_account_id=t-1" ]
--- error_code eval
[404, 400]
--- response_body eval
[ '{"statusCode":404,"error":"Not Found","message":"a resource is required: organizations, products, usage, workspaces or users"}',
  '{"statusCode":400,"error":"Bad Request","message":"the id must not contain control characters"}' ]
--- no_error_log
usage_metering: call



=== TEST 21: a NUL byte in the path is refused by nginx itself, with its own HTML page, before the module runs
--- request
GET /unified/usage-metering/users/a%00b?integrated_account_id=t-1
--- error_code: 400
--- response_headers
Content-Type: text/html
--- response_body_like: ^<html>\r?\n<head><title>400 Bad Request</title></head>
--- error_log
client sent invalid request while reading client request line
--- no_error_log
usage_metering: call
mock-got:



=== TEST 22: invalid percent-encoding, invalid UTF-8 and NUL in parameters are 400
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=t-1&foo=%zz",
  "GET /unified/usage-metering/users?integrated_account_id=t-1&foo=%C3%28",
  "GET /unified/usage-metering/users?integrated_account_id=t-1&foo=a%00b" ]
--- error_code eval
[400, 400, 400]
--- response_body eval
[ '{"statusCode":400,"error":"Bad Request","message":"invalid percent-encoding in the query string"}',
  '{"statusCode":400,"error":"Bad Request","message":"query parameters must be UTF-8 text without NUL bytes"}',
  '{"statusCode":400,"error":"Bad Request","message":"query parameters must be UTF-8 text without NUL bytes"}' ]



=== TEST 23: a 10 KB parameter: nginx's own 414 with default buffers, before the module runs
--- request eval
"GET /unified/usage-metering/users?integrated_account_id=t-1&foo=" . ("x" x 10240)
--- error_code: 414
--- response_headers
Content-Type: text/html
--- response_body_like: <title>414 Request-URI Too Large</title>
--- error_log
client sent too long URI while reading client request line
--- no_error_log
usage_metering: call
mock-got:



=== TEST 24: a 10 KB parameter with large buffers: 400 from the module
--- config eval
"large_client_header_buffers 4 64k;\n" . $::Config
--- request eval
"GET /unified/usage-metering/users?integrated_account_id=t-1&foo=" . ("x" x 10240)
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"a query parameter is too long (names up to 256 bytes, values up to 4096)"}
--- no_error_log
usage_metering: call
mock-got:



=== TEST 25: an id of "../x", raw or percent-encoded: nginx resolves the dot segment first, so it is the resource "x": 404, nothing called
--- request eval
[ "GET /unified/usage-metering/users/../x?integrated_account_id=t-1",
  "GET /unified/usage-metering/users/%2E%2E%2Fx?integrated_account_id=t-1",
  "GET /unified/usage-metering/users/%2e%2e/x?integrated_account_id=t-1" ]
--- error_code eval
[404, 404, 404]
--- response_body eval
[ ('{"statusCode":404,"error":"Not Found","message":"unknown resource \\"x\\"; resources are organizations, products, usage, workspaces and users"}') x 3 ]
--- no_error_log
usage_metering: call
mock-got:



=== TEST 26: a dot segment inside the id stays below the resource: the provider gets /users/x and nothing else
--- request eval
[ "GET /unified/usage-metering/users/a/../x?integrated_account_id=t-1&truto_response_format=normalized",
  "GET /unified/usage-metering/users/a%2F..%2Fx?integrated_account_id=t-1&truto_response_format=normalized" ]
--- response_body eval
[ ('{"id":"/users/x","name":"Got"}') x 2 ]
--- error_log
mock-got: GET /users/x HTTP/1.0
--- no_error_log eval
[ qr{mock-got: GET (?!/users/x HTTP/1\.0)} ]



=== TEST 27: dot segments that climb out of the API's location reach no provider: the internal location answers nginx's 404
--- request
GET /unified/usage-metering/../../_um/test/users?integrated_account_id=t-1
--- error_code: 404
--- response_headers
Content-Type: text/html
--- response_body_like: <title>404 Not Found</title>
--- no_error_log
usage_metering: call
mock-got:
