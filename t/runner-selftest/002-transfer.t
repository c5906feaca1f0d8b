# Self-test: chunked responses, HEAD, several requests per block,
# pipelined and raw requests, repeat_each.
# the runner's self-tests use stock nginx only, whatever the suite loads
BEGIN { delete $ENV{TEST_NGINX_LOAD_MODULES} }

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: chunked response (sub_filter drops Content-Length) is de-chunked
--- config
    location = /t {
        sub_filter_types *;
        sub_filter 'foo' 'bar';
        sub_filter_once off;
        return 200 "foo foo\n";
    }
--- request
GET /t
--- response_headers
Transfer-Encoding: chunked
!Content-Length
--- response_body
bar bar
--- no_error_log
[error]



=== TEST 2: chunked response streamed through proxy_pass from an HTTP/1.1 upstream
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            sub_filter_types *;
            sub_filter 'x' 'y';
            sub_filter_once off;
            return 200 "xxx\n";
        }
    }
--- config
    location = /t {
        proxy_http_version 1.1;
        proxy_buffering off;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
GET /t
--- response_headers
Transfer-Encoding: chunked
--- response_body
yyy



=== TEST 3: HEAD has no body
--- config
    location = /t { return 200 "some body\n"; }
--- request
HEAD /t
--- response_headers
Content-Length: 10
--- response_body chomp



=== TEST 4: an array of requests needs array expectations
--- config
    location = /a { return 200 "A\n"; }
    location = /b { return 403; }
--- request eval
["GET /a", "GET /b"]
--- error_code eval
[200, 403]
--- response_body_like eval
["^A\$", "403 Forbidden"]



=== TEST 5: pipelined requests
--- config
    location = /a { return 200 "A\n"; }
    location = /b { return 200 "BB\n"; }
--- pipelined_requests eval
["GET /a", "GET /b"]
--- response_body eval
["A\n", "BB\n"]



=== TEST 6: raw_request is sent as is
--- config
    location = /t { return 200 "$request_method $http_x_foo\n"; }
--- raw_request eval
"PUT /t HTTP/1.1\r
Host: localhost\r
X-Foo: raw\r
Content-Length: 0\r
Connection: close\r
\r
"
--- response_body
PUT raw



=== TEST 7: request split into packets with a delay
--- config
    location = /t { return 200 "$request_body|$content_length\n"; client_body_buffer_size 1k; }
--- request eval
[["POST /t\nhel", {value => "lo", delay_before => 0.1}]]
--- response_body_like: ^\|5$



=== TEST 8: request timeout section, log_level per block
--- log_level: warn
--- timeout: 2
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log
http request line
