# The unified usage list for a Confluent account: the whole path through a
# real subrequest to a mock provider on loopback, exact JSON out.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use POSIX ();

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

# the seeds' defaults: the current month, UTC, end exclusive
my @now = gmtime;
my ($y, $m) = ($now[5] + 1900, $now[4] + 1);
our $MonthStart = sprintf "%04d-%02d-01", $y, $m;
our $MonthEnd = $m == 12 ? sprintf("%04d-01-01", $y + 1)
                         : sprintf("%04d-%02d-01", $y, $m + 1);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: happy path: every cost line becomes a unified usage row
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        location = /billing/v1/costs {
            alias $TEST_NGINX_HTML_DIR/costs.json;
        }
    }
}
--- config eval: $::Locations
--- user_files
>>> costs.json
{"api_version":"billing/v1","kind":"CostList","metadata":{"next":null},"data":[
{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90de","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","network_access_type":"INTERNET","product":"KAFKA","line_type":"KAFKA_NUM_CKUS","price":2.25,"unit":"CKU-hour","quantity":24.0,"original_amount":54.0,"discount_amount":5.4,"amount":48.6,"resource":{"id":"lkc-12345","display_name":"prod-kafka-cluster","environment":{"id":"env-a1b2c"}}},
{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90df","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","product":"CONNECT","line_type":"CONNECT_THROUGHPUT","price":0.025,"unit":"GB","quantity":99.9,"original_amount":2.4975,"discount_amount":0.0,"amount":2.4975,"tier_dimensions":{"provider":"aws","region":"us-east-1","connector_type":"BigQuerySink"},"resource":{"id":"lcc-9x8y7","display_name":"bq-sink","environment":{"id":"env-a1b2c"}}},
{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90e0","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","product":"SUPPORT_CLOUD_BUSINESS","line_type":"PROMO_CREDIT","description":"KAFKA101","price":0.0,"unit":"USD","quantity":1.0,"original_amount":-10.0,"discount_amount":0.0,"amount":-10.0},
{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90e1","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","network_access_type":"INTERNET","product":"KAFKA","line_type":"KAFKA_STORAGE","price":0.0001,"unit":"GB-hour","quantity":18250.5,"original_amount":1.82505,"discount_amount":0.182505,"amount":1.642545,"resource":{"id":"lkc-12345","display_name":"prod-kafka-cluster","environment":{"id":"env-a1b2c"}}}
]}
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-03-01
--- response_headers
Content-Type: application/json
--- response_body chomp
{"result":[{"id":"dlz-f3a90de","product":{"id":"KAFKA"},"metric_name":"KAFKA_NUM_CKUS","resources":[{"id":"lkc-12345","name":"prod-kafka-cluster","workspace":{"id":"env-a1b2c"}}],"charges":[{"amount":48.6,"currency":"USD","type":"total"},{"amount":54,"currency":"USD","type":"usage_based"},{"amount":5.4,"currency":"USD","type":"discount"}],"usage":{"quantity":24,"unit":"CKU-hour"},"start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z","remote_data":{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90de","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","network_access_type":"INTERNET","product":"KAFKA","line_type":"KAFKA_NUM_CKUS","price":2.25,"unit":"CKU-hour","quantity":24.0,"original_amount":54.0,"discount_amount":5.4,"amount":48.6,"resource":{"id":"lkc-12345","display_name":"prod-kafka-cluster","environment":{"id":"env-a1b2c"}}}},{"id":"dlz-f3a90df","product":{"id":"CONNECT"},"metric_name":"CONNECT_THROUGHPUT","resources":[{"id":"lcc-9x8y7","name":"bq-sink","workspace":{"id":"env-a1b2c"}}],"charges":[{"amount":2.4975,"currency":"USD","type":"total"},{"amount":2.4975,"currency":"USD","type":"usage_based"},{"amount":0,"currency":"USD","type":"discount"}],"usage":{"quantity":99.9,"unit":"GB"},"start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z","remote_data":{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90df","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","product":"CONNECT","line_type":"CONNECT_THROUGHPUT","price":0.025,"unit":"GB","quantity":99.9,"original_amount":2.4975,"discount_amount":0.0,"amount":2.4975,"tier_dimensions":{"provider":"aws","region":"us-east-1","connector_type":"BigQuerySink"},"resource":{"id":"lcc-9x8y7","display_name":"bq-sink","environment":{"id":"env-a1b2c"}}}},{"id":"dlz-f3a90e0","product":{"id":"SUPPORT_CLOUD_BUSINESS"},"metric_name":"PROMO_CREDIT","charges":[{"amount":-10,"currency":"USD","type":"total"},{"amount":-10,"currency":"USD","type":"usage_based"},{"amount":0,"currency":"USD","type":"discount"}],"usage":{"quantity":1,"unit":"USD"},"start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z","remote_data":{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90e0","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","product":"SUPPORT_CLOUD_BUSINESS","line_type":"PROMO_CREDIT","description":"KAFKA101","price":0.0,"unit":"USD","quantity":1.0,"original_amount":-10.0,"discount_amount":0.0,"amount":-10.0}},{"id":"dlz-f3a90e1","product":{"id":"KAFKA"},"metric_name":"KAFKA_STORAGE","resources":[{"id":"lkc-12345","name":"prod-kafka-cluster","workspace":{"id":"env-a1b2c"}}],"charges":[{"amount":1.642545,"currency":"USD","type":"total"},{"amount":1.82505,"currency":"USD","type":"usage_based"},{"amount":0.182505,"currency":"USD","type":"discount"}],"usage":{"quantity":18250.5,"unit":"GB-hour"},"start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z","remote_data":{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90e1","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","network_access_type":"INTERNET","product":"KAFKA","line_type":"KAFKA_STORAGE","price":0.0001,"unit":"GB-hour","quantity":18250.5,"original_amount":1.82505,"discount_amount":0.182505,"amount":1.642545,"resource":{"id":"lkc-12345","display_name":"prod-kafka-cluster","environment":{"id":"env-a1b2c"}}}}],"next_cursor":null,"result_count":4}
--- no_error_log
[error]
[warn]



=== TEST 2: the provider request: default dates of the current month, no client headers
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 200 '{"data":[{"id":"$request_method $args","auth":"$http_authorization","cookie":"$http_cookie","start_date":"2024-03-01","end_date":"2024-03-02"}]}';
        }
    }
}
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- more_headers
Authorization: Bearer client-secret
Cookie: session=abc
--- response_body eval
qq{{"result":[{"id":"GET start_date=$::MonthStart&end_date=$::MonthEnd","start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z","remote_data":{"id":"GET start_date=$::MonthStart&end_date=$::MonthEnd","auth":"","cookie":"","start_date":"2024-03-01","end_date":"2024-03-02"}}],"next_cursor":null,"result_count":1}}
--- no_error_log
[error]



=== TEST 3: dates given: end_date defaults to the end of start_date's month, limit is the page size
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 200 '{"data":[{"id":"$args"}]}';
        }
    }
}
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1&start_date=2024-02-10T22:30:00-05:00&limit=50
--- response_body chomp
{"result":[{"id":"start_date=2024-02-11&end_date=2024-03-01&page_size=50","remote_data":{"id":"start_date=2024-02-11&end_date=2024-03-01&page_size=50"}}],"next_cursor":null,"result_count":1}
--- no_error_log
[error]



=== TEST 4: an empty page is an empty list
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 200 '{"api_version":"billing/v1","kind":"CostList","metadata":{"next":null},"data":[]}';
        }
    }
}
--- config eval: $::Locations
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- response_body chomp
{"result":[],"next_cursor":null,"result_count":0}
--- no_error_log
[error]



=== TEST 5: HEAD answers the headers of the GET, without a body
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /billing/v1/costs {
            return 200 '{"data":[]}';
        }
    }
}
--- config eval: $::Locations
--- request
HEAD /unified/usage-metering/usage?integrated_account_id=acc-1
--- response_headers
Content-Type: application/json
Content-Length: 49
--- response_body chomp
--- no_error_log
[error]



=== TEST 6: a body larger than subrequest_output_buffer_size is captured whole
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
    subrequest_output_buffer_size 4k;
}
--- user_files eval
">>> big.json\n" . '{"data":[' . CORE::join(",", map { '{"id":"c' . $_ . '","line_type":"KAFKA_STORAGE","pad":"' . ("x" x 100) . '"}' } 1 .. 500) . "]}\n"
--- request
GET /unified/usage-metering/usage?integrated_account_id=acc-1
--- response_body_like eval
qr/^\{"result":\[\{"id":"c1","metric_name":"KAFKA_STORAGE".*\{"id":"c500","metric_name":"KAFKA_STORAGE","remote_data":\{"id":"c500",.*\],"next_cursor":null,"result_count":500\}$/
--- no_error_log
[error]
