# Self-test: file-level settings (no_root_location, master_on, workers,
# env_to_nginx, add_block_preprocessor), skip_eval, exported variables.
# the runner's self-tests use stock nginx only, whatever the suite loads
BEGIN { delete $ENV{TEST_NGINX_LOAD_MODULES} }

use Test::Nginx::Socket 'no_plan';

no_root_location();
master_on();
workers(2);
env_to_nginx('RUNNER_SELFTEST_ENV=1');
no_shuffle();

# every block gets the same extra location
add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('config', $block->config . "\n    location = /pre { return 200 'pre\\n'; }\n");
});

die "exported \$ServerPort is not set" unless $ServerPort && $ServRoot && $ServerPortForClient;
die "html_dir() is wrong" unless html_dir() eq "$ServRoot/html";

run_tests();

__DATA__

=== TEST 1: no root location: the block may define "location /"
--- config
    location / { return 200 "mine\n"; }
--- request
GET /
--- response_body
mine



=== TEST 2: block preprocessor added a location
--- config
--- request
GET /pre
--- response_body
pre



=== TEST 3: master_on + workers(2) (valgrind runs a single process)
--- skip_eval: 1: $ENV{TEST_NGINX_USE_VALGRIND}
--- config
--- request
GET /pre
--- grep_error_log eval
qr/start worker process(?= \d)/
--- grep_error_log_out
start worker process
start worker process
