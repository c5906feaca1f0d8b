# Self-test: --- must_die (nginx must fail to start) and its error_log.
# the runner's self-tests use stock nginx only, whatever the suite loads
BEGIN { delete $ENV{TEST_NGINX_LOAD_MODULES} }

use Test::Nginx::Socket 'no_plan';

no_shuffle();
run_tests();

__DATA__

=== TEST 1: unknown directive
--- config
    location = /t { no_such_directive_here on; }
--- must_die
--- error_log
[emerg]
unknown directive "no_such_directive_here"



=== TEST 2: expected exit code, regex pattern
--- http_config
    bogus_http_directive 1;
--- config
--- must_die: 1
--- error_log eval
qr/\[emerg\] .*bogus_http_directive/
--- no_error_log
[crit]



=== TEST 3: a normal block after must_die blocks still works
--- config
    location = /t { return 200 "alive\n"; }
--- request
GET /t
--- response_body
alive
