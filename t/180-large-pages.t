# Provider pages larger than one mapping slice (256 KB of records): the
# page is mapped in several slices with the worker's other events in
# between, and the answer is the same as for a page mapped at once; a page
# that turns out not to be JSON after some slices is still a 502 with
# jansson's message.  The provider body is read unbuffered (a page of many
# proxy buffers).

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

our $Accounts = <<'_EOC_';
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
    usage_metering_account   acc-1 provider=confluent upstream=/_um/confluent;
    usage_metering_max_body  16m;
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
            alias $TEST_NGINX_HTML_DIR/costs.json;
        }
    }
_EOC_

# N records, every 7th without a resource, every 5th with a name to escape,
# whitespace between some of them (remote_data is then minified)

sub record {
    my $n = shift;
    my $res = $n % 7 == 0 ? ''
        : qq~,"resource":{"id":"lkc-$n","display_name":"~
          . ($n % 5 == 0 ? q~team \"blue\" caf\u00e9~ : "cluster-$n")
          . qq~","environment":{"id":"env-~ . ($n % 11) . q~"}}~;
    return qq~{"id":"c$n","product":"KAFKA","line_type":"KAFKA_BASE",~
         . q~"start_date":"2024-03-~ . sprintf('%02d', 1 + $n % 28)
         . q~","end_date":"2024-03-~ . sprintf('%02d', 2 + $n % 28)
         . qq~","unit":"GB","quantity":$n.50,"original_amount":$n.0,~
         . q~"amount":~ . ($n * 0.75) . $res
         . q~,"granularity":"DAILY","price":0.0015,"padding":"~ . ('x' x 150)
         . q~"}~;
}

sub page {
    my ($n, $tail) = @_;
    return '{"api_version":"billing/v1","kind":"CostList","metadata":'
         . '{"next":null},"data":['
         . CORE::join(",", map { ($_ % 3 ? '' : "\n  ") . record($_) } 1 .. $n)
         . ']' . ($tail // '') . "}\n";
}

# the unified row the Confluent mapping makes of record($n)
sub unified {
    my $n = shift;
    my $raw = record($n);
    my $res = $n % 7 == 0 ? ''
        : qq~"resources":[{"id":"lkc-$n","name":"~
          . ($n % 5 == 0 ? q~team \"blue\" café~ : "cluster-$n")
          . q~","workspace":{"id":"env-~ . ($n % 11) . q~"}}],~;
    return qq~{"id":"c$n","product":{"id":"KAFKA"},"metric_name":"KAFKA_BASE",~
         . $res
         . q~"charges":[{"amount":~ . ($n * 0.75)
         . qq~,"currency":"USD","type":"total"},{"amount":$n,"currency":"USD",~
         . qq~"type":"usage_based"}],"usage":{"quantity":$n.5,"unit":"GB"},~
         . q~"start_date":"2024-03-~ . sprintf('%02d', 1 + $n % 28)
         . q~T00:00:00.000Z","end_date":"2024-03-~ . sprintf('%02d', 2 + $n % 28)
         . qq~T00:00:00.000Z","remote_data":$raw}~;
}

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a 3,000-record page (about 1 MB, several slices) maps whole
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- user_files eval
">>> costs.json\n" . ::page(3000)
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-03-01
--- response_body eval
'{"result":[' . CORE::join(",", map { ::unified($_) } 1 .. 3000)
. '],"next_cursor":null,"result_count":3000}'
--- no_error_log
[error]



=== TEST 2: the same page as NDJSON, a row per line
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- user_files eval
">>> costs.json\n" . ::page(3000)
--- more_headers
Accept: application/x-ndjson
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-03-01&truto_response_format=stream
--- response_body eval
CORE::join("", map { ::unified($_) . "\n" } 1 .. 3000)
--- no_error_log
[error]



=== TEST 3: a window in the middle of the sliced page: limit and next_cursor
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- user_files eval
">>> costs.json\n" . ::page(3000)
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-03-01&limit=2
--- response_body_like eval
'^\{"result":\[' . quotemeta(::unified(1) . ',' . ::unified(2))
. '\],"next_cursor":"[^"]+","result_count":2\}$'
--- no_error_log
[error]



=== TEST 4: not JSON after the records (past the first slices): 502, jansson's message
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- user_files eval
">>> costs.json\n" . ::page(3000, ',"broken":tru')
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-03-01
--- error_code: 502
--- response_body_like: ^\{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer is not valid JSON \(line \d+, column \d+\)"\}$
--- error_log
the provider's answer is not valid JSON



=== TEST 5: a record that is not JSON in the middle of the page: 502
--- http_config eval: $::Accounts . $::Mock
--- config eval: $::Locations
--- user_files eval
my $p = ::page(3000);
$p =~ s/"id":"c2500",/"id":"c2500",,/;
">>> costs.json\n" . $p
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-03-01
--- error_code: 502
--- response_body_like: ^\{"statusCode":502,"error":"Bad Gateway","message":"the provider's answer is not valid JSON \(line \d+, column \d+\)"\}$
--- error_log
the provider's answer is not valid JSON

