# Self-test of t/lib/Test/Nginx/Socket.pm against stock nginx: proxying to
# a loopback mock, headers, bodies, eval sections, error log checks.
# the runner's self-tests use stock nginx only, whatever the suite loads
BEGIN { delete $ENV{TEST_NGINX_LOAD_MODULES} }

use Test::Nginx::Socket 'no_plan';

no_shuffle();
run_tests();

__DATA__

=== TEST 1: proxy_pass to a mock on a random port
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            add_header X-Upstream-Uri $request_uri;
            add_header X-Auth $http_authorization;
            return 200 '{"a":1}';
        }
    }
--- config
    location = /t {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/x;
    }
--- request
GET /t?a=1
--- more_headers
Authorization: Bearer abc
--- error_code: 200
--- response_headers
Content-Type: text/plain
X-Upstream-Uri: /x?a=1
X-Auth: Bearer abc
!X-Absent
--- response_body chomp
{"a":1}
--- no_error_log
[error]
[warn]



=== TEST 2: status codes, response_headers_like, raw_response_headers_like
--- config
    location = /t {
        add_header X-Num 12345 always;
        return 404 "not here\n";
    }
--- request
GET /t
--- error_code: 404
--- response_headers_like
X-Num: \d+
--- raw_response_headers_like: ^HTTP/1\.1 404 Not Found\r\n
--- response_body
not here



=== TEST 3: error_code_like, response_body_like
--- config
    location = /t { return 201 "created 42 things\n"; }
--- request
GET /t
--- error_code_like: ^20[01]$
--- response_body_like: created \d+ things



=== TEST 3b: response_body_unlike (alone: upstream skips it next to response_body_like)
--- config
    location = /t { return 201 "created 42 things\n"; }
--- request
GET /t
--- error_code: 201
--- response_body_unlike: error



=== TEST 4: request body gets a Content-Length; error_log substring
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / { return 200 "len=$http_content_length body=$http_x_body\n"; }
    }
--- config
    location = /echo {
        proxy_set_header X-Body $request_body;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
POST /echo
hello world
--- response_body
len=11 body=hello world
--- error_log
http request line: "POST /echo HTTP/1.1"
--- no_error_log
[error]



=== TEST 5: eval sections (request, response_body, error_code, error_log)
--- config
    location = /t {
        return 200 "a\tb\r\n";
    }
--- request eval
"GET /t"
--- error_code eval
100 + 100
--- response_body eval
"a\tb\r\n"
--- error_log eval
[qr/http finalize request: -?\d+, "\/t\?"/, 'http request line']
--- no_error_log eval
[qr/\[error\]/]



=== TEST 6: response_body eval with a regex
--- config
    location = /t { return 200 "time=12:34\n"; }
--- request
GET /t
--- response_body eval
qr/^time=\d+:\d+$/m



=== TEST 7: $TEST_NGINX_* variables from the environment
--- config
    location = /t { return 200 "port=$TEST_NGINX_SERVER_PORT root=$TEST_NGINX_SERVER_ROOT\n"; }
--- request
GET /t
--- response_body
port=$TEST_NGINX_SERVER_PORT root=$TEST_NGINX_SERVER_ROOT



=== TEST 8: HTTP/1.0 request, explicit Host and Connection headers
--- config
    location = /t { return 200 "$server_protocol $host $http_connection\n"; }
--- request
GET /t HTTP/1.0
--- more_headers
Host: example.com
Connection: close
--- response_body
HTTP/1.0 example.com close



=== TEST 9: default root location serves index.html
--- config
--- request
GET /
--- response_body_like: It works!
