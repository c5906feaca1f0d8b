# Datadog (mappings/datadog.json): every resource and method of its
# CONTRACT section 5 row against a mock Datadog on loopback that answers
# only with the account's DD-API-KEY and DD-APPLICATION-KEY.  Usage is by
# month: historical_cost for the months before the current one,
# estimated_cost for the current month, both with view=sub-org; one row per
# organization record and product, one charge per charge_type.  Exact
# unified JSON out, exact provider requests (the module's debug log of each
# call), provider errors passed through.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(encode_base64url);

our $Secret = 'test-cursor-secret-0123456789abcdef';

# next_cursor as the module makes it (src/um_cursor.c, as in
# t/060-pagination.t): with usage_metering_cursor_ttl 0 it is deterministic
sub varint {
    my $v = shift;
    my $o = '';
    while ($v >= 0x80) { $o .= chr(($v & 0x7f) | 0x80); $v >>= 7; }
    return $o . chr($v);
}

sub cursor {
    my ($resource, $params, @parts) = @_;
    my %res = (organizations => 0, products => 1, usage => 2,
               workspaces => 3, users => 4);
    my $d = chr($res{$resource}) . chr(0) . "\0";
    for my $p (sort { $a->[0] cmp $b->[0] || $a->[1] cmp $b->[1] } @$params) {
        $d .= "$p->[0]=$p->[1]\0";
    }
    my $raw = chr(1) . pack('Q>', 0) . substr(sha256($d), 0, 16)
              . varint(scalar @parts);
    for my $p (@parts) {
        $raw .= varint($p->[0]) . varint($p->[1]) . varint(length $p->[2])
                . $p->[2];
    }
    $raw .= substr(hmac_sha256($raw, $Secret), 0, 16);
    return encode_base64url($raw);
}

# the months the defaults and the split depend on, from the current time
my @now = gmtime;
my ($y, $m) = ($now[5] + 1900, $now[4] + 1);
my ($py, $pm) = $m == 1 ? ($y - 1, 12) : ($y, $m - 1);
my ($ny, $nm) = $m == 12 ? ($y + 1, 1) : ($y, $m + 1);
my ($p2y, $p2m) = $pm == 1 ? ($py - 1, 12) : ($py, $pm - 1);
our $Cur = sprintf "%04d-%02d", $y, $m;
our $Prev = sprintf "%04d-%02d", $py, $pm;
our $Prev2 = sprintf "%04d-%02d", $p2y, $p2m;
our $Next = sprintf "%04d-%02d", $ny, $nm;

# Datadog publishes a month's historical cost by the 16th of the next month;
# estimated_cost covers the current and the previous month.  Before the
# 16th (UTC) the previous month is read from estimated_cost.
our $Early = $now[3] < 16;

# the static product list, as the unified API must answer it
our @Products = (
    ['infra_host', 'Infrastructure Hosts'],
    ['infra_container_excl_agent', 'Infrastructure Containers'],
    ['timeseries', 'Custom Metrics'],
    ['ingested_timeseries', 'Ingested Custom Metrics'],
    ['custom_event', 'Custom Events'],
    ['apm_host', 'APM Hosts'],
    ['apm_trace_search', 'Indexed Spans'],
    ['ingested_spans', 'Ingested Spans'],
    ['serverless_apm', 'Serverless APM'],
    ['serverless_infra', 'Serverless Workload Monitoring'],
    ['fargate_container', 'Fargate Tasks'],
    ['prof_host', 'Continuous Profiler Hosts'],
    ['prof_container', 'Continuous Profiler Containers'],
    ['dbm_host', 'Database Monitoring Hosts'],
    ['dbm_normalized_queries', 'Database Monitoring Normalized Queries'],
    ['data_stream_monitoring', 'Data Streams Monitoring'],
    ['logs_ingested', 'Ingested Logs'],
    ['logs_indexed_3day', 'Indexed Logs (3-day retention)'],
    ['logs_indexed_7day', 'Indexed Logs (7-day retention)'],
    ['logs_indexed_15day', 'Indexed Logs (15-day retention)'],
    ['logs_indexed_30day', 'Indexed Logs (30-day retention)'],
    ['logs_indexed_60day', 'Indexed Logs (60-day retention)'],
    ['logs_indexed_90day', 'Indexed Logs (90-day retention)'],
    ['logs_indexed_180day', 'Indexed Logs (180-day retention)'],
    ['logs_indexed_custom_retention', 'Indexed Logs (custom retention)'],
    ['logs_forwarding', 'Log Forwarding'],
    ['online_archive', 'Online Archives'],
    ['sensitive_data_scanner', 'Sensitive Data Scanner'],
    ['rum_lite', 'RUM Sessions'],
    ['rum_replay', 'RUM Session Replay'],
    ['synthetics_api_tests', 'Synthetic API Tests'],
    ['synthetics_browser_checks', 'Synthetic Browser Tests'],
    ['ci_pipeline', 'CI Visibility Pipelines'],
    ['ci_pipeline_indexed_spans', 'CI Pipeline Indexed Spans'],
    ['ci_testing', 'Test Optimization'],
    ['ci_test_indexed_spans', 'CI Test Indexed Spans'],
    ['npm_host', 'Network Performance Monitoring Hosts'],
    ['network_device', 'Network Devices'],
    ['cspm_host', 'Cloud Security Posture Management Hosts'],
    ['cspm_container', 'Cloud Security Posture Management Containers'],
    ['cws_host', 'Workload Protection Hosts'],
    ['cws_container', 'Workload Protection Containers'],
    ['siem', 'Cloud SIEM'],
    ['application_security_host', 'App and API Protection Hosts'],
    ['application_vulnerability_management_oss_host', 'Software Composition Analysis Hosts'],
    ['audit_trail', 'Audit Trail'],
    ['cloud_cost_management', 'Cloud Cost Management'],
    ['observability_pipeline', 'Observability Pipelines'],
    ['workflow_execution', 'Workflow Automation'],
    ['iot', 'IoT Devices'],
);
our $ProductsJson = '[' . CORE::join(',', map { qq({"id":"$_->[0]","name":"$_->[1]"}) } @Products) . ']';
our $ProductsKeyed = '{' . CORE::join(',', map { qq("$_->[0]":{"id":"$_->[0]","name":"$_->[1]"}) } @Products) . '}';

# provider records, as Datadog sends them; remote_data is each one as is
our $Hist1 = '{"type":"cost_by_org","id":"5d1702ab10f060719ae5aa1fd7ba09e3d7e0fb371b8319051c616a1fcad254e9","attributes":{"account_name":"Acme Corp","account_public_id":"abc123parent","org_name":"Acme Prod","public_id":"fasjyydbcgwwc2uc","region":"us","date":"2024-02-01T00:00:00+00:00","total_cost":1714.17,"charges":[{"product_name":"infra_host","charge_type":"committed","cost":1380.0},{"product_name":"infra_host","charge_type":"on_demand","cost":92.0},{"product_name":"infra_host","charge_type":"total","cost":1472.0},{"product_name":"synthetics_api_tests","charge_type":"committed","cost":0},{"product_name":"synthetics_api_tests","charge_type":"on_demand","cost":242.17},{"product_name":"synthetics_api_tests","charge_type":"total","cost":242.17}]}}';
our $Hist2 = '{"type":"cost_by_org","id":"9e0a17bc52d84f6a3c1b7e2d9f8a6c5b4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a","attributes":{"account_name":"Acme Corp","account_public_id":"abc123parent","org_name":"Acme Staging","public_id":"xyz789child","region":"us","date":"2024-02-01T00:00:00+00:00","total_cost":0,"charges":[{"product_name":"apm_host","charge_type":"committed","cost":0},{"product_name":"apm_host","charge_type":"on_demand","cost":0},{"product_name":"apm_host","charge_type":"total","cost":0}]}}';
our $Est1 = '{"type":"cost_by_org","id":"a1f0c2e9b7d64e3f9c1e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f","attributes":{"account_name":"Acme Corp","account_public_id":"abc123parent","org_name":"Acme Staging","public_id":"xyz789child","region":"us","date":"2024-03-05T00:00:00+00:00","total_cost":412.5,"charges":[{"product_name":"logs_indexed_15day","charge_type":"on_demand","cost":112.5},{"product_name":"logs_indexed_15day","charge_type":"committed","cost":300.0},{"product_name":"logs_indexed_15day","charge_type":"total","cost":412.5}]}}';

our $Hist1Out = '{"id":"5d1702ab10f060719ae5aa1fd7ba09e3d7e0fb371b8319051c616a1fcad254e9:infra_host","organization":{"id":"fasjyydbcgwwc2uc","name":"Acme Prod"},"product":{"id":"infra_host"},"metric_name":"infra_host","charges":[{"amount":1380,"currency":"USD","type":"committed"},{"amount":92,"currency":"USD","type":"on_demand"},{"amount":1472,"currency":"USD","type":"total"}],"start_date":"2024-02-01T00:00:00.000Z","end_date":"2024-03-01T00:00:00.000Z","remote_data":' . $Hist1 . '},'
    . '{"id":"5d1702ab10f060719ae5aa1fd7ba09e3d7e0fb371b8319051c616a1fcad254e9:synthetics_api_tests","organization":{"id":"fasjyydbcgwwc2uc","name":"Acme Prod"},"product":{"id":"synthetics_api_tests"},"metric_name":"synthetics_api_tests","charges":[{"amount":0,"currency":"USD","type":"committed"},{"amount":242.17,"currency":"USD","type":"on_demand"},{"amount":242.17,"currency":"USD","type":"total"}],"start_date":"2024-02-01T00:00:00.000Z","end_date":"2024-03-01T00:00:00.000Z","remote_data":' . $Hist1 . '}';
our $Hist2Out = '{"id":"9e0a17bc52d84f6a3c1b7e2d9f8a6c5b4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a:apm_host","organization":{"id":"xyz789child","name":"Acme Staging"},"product":{"id":"apm_host"},"metric_name":"apm_host","charges":[{"amount":0,"currency":"USD","type":"committed"},{"amount":0,"currency":"USD","type":"on_demand"},{"amount":0,"currency":"USD","type":"total"}],"start_date":"2024-02-01T00:00:00.000Z","end_date":"2024-03-01T00:00:00.000Z","remote_data":' . $Hist2 . '}';
our $Est1Out = '{"id":"a1f0c2e9b7d64e3f9c1e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f:logs_indexed_15day","organization":{"id":"xyz789child","name":"Acme Staging"},"product":{"id":"logs_indexed_15day"},"metric_name":"logs_indexed_15day","charges":[{"amount":112.5,"currency":"USD","type":"on_demand"},{"amount":300,"currency":"USD","type":"committed"},{"amount":412.5,"currency":"USD","type":"total"}],"start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-04-01T00:00:00.000Z","remote_data":' . $Est1 . '}';

our $OrgP = '{"public_id":"abc123parent","name":"Acme Corp","description":"Parent organization","created":"2019-09-26T17:28:28Z","subscription":{"type":"pro"},"billing":{"type":"parent_billing"},"settings":{"saml":{"enabled":true}},"trial":false}';
our $OrgC = '{"public_id":"xyz789child","name":"Acme Staging","created":"2021-07-30T14:45:02.512Z","subscription":{"type":"pro"},"billing":{"type":"parent_billing"},"trial":false}';
our $OrgPOut = '{"id":"abc123parent","name":"Acme Corp","created_at":"2019-09-26T17:28:28.000Z","remote_data":' . $OrgP . '}';
our $OrgCOut = '{"id":"xyz789child","name":"Acme Staging","created_at":"2021-07-30T14:45:02.512Z","remote_data":' . $OrgC . '}';

our $Files = CORE::join '',
    ">>> org.json\n", '{"orgs":[', $OrgP, ',', $OrgC, "]}\n",
    ">>> api/v1/org/xyz789child.json\n", '{"org":', $OrgC, "}\n",
    ">>> historical.json\n", '{"data":[', $Hist1, ',', $Hist2, "]}\n",
    ">>> estimated.json\n", '{"data":[', $Est1, "]}\n";

our $HttpConfig = <<'_EOC_';
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
    usage_metering_account   dd-1 provider=datadog upstream=/_um/datadog
                             api_key=test-api-key
                             application_key=test-application-key;
    usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;
    usage_metering_cursor_ttl     0;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        root $TEST_NGINX_HTML_DIR;

        # Datadog answers only with both keys
        set $um_keys "$http_dd_api_key $http_dd_application_key";
        if ($um_keys != "test-api-key test-application-key") {
            return 403 '{"errors":["Forbidden"]}';
        }

        location = /api/v1/org {
            try_files /org.json =404;
        }

        location /api/v1/org/ {
            try_files $uri.json @not_found;
        }

        location = /api/v2/usage/historical_cost {
            try_files /historical.json =404;
        }

        location = /api/v2/usage/estimated_cost {
            try_files /estimated.json =404;
        }

        location /empty/ {
            return 200 '{"data":[]}';
        }

        location = /empty/api/v1/org {
            return 200 '{"orgs":[]}';
        }

        location /echo/ {
            return 200 '{"data":[{"type":"cost_by_org","id":"$uri?$args$http_cookie","attributes":{"org_name":"Acme Prod","public_id":"fasjyydbcgwwc2uc","date":"2024-03-01T00:00:00+00:00","charges":[{"product_name":"infra_host","charge_type":"total","cost":1.5}]}}]}';
        }

        location /child-keys/ {
            return 400 '{"errors":["API called with non-parent org keys. Data is only available at the root level org"]}';
        }

        location /limited/ {
            add_header Retry-After 12 always;
            add_header X-RateLimit-Limit 60 always;
            add_header X-RateLimit-Period 60 always;
            add_header X-RateLimit-Remaining 0 always;
            add_header X-RateLimit-Reset 12 always;
            add_header X-RateLimit-Name usage_metering always;
            return 429 '{"errors":["Rate limit of 60 requests in 60 seconds reached. Please try again later."]}';
        }

        location @not_found {
            return 404 '{"errors":["Not found"]}';
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/datadog/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_set_header DD-API-KEY $usage_metering_account_api_key;
        proxy_set_header DD-APPLICATION-KEY $usage_metering_account_application_key;
    }
_EOC_

# the row the echo location makes for a call (its id is the call)
sub echo_row {
    my ($call) = @_;
    return qq({"id":"/echo/api/v2/usage/$call:infra_host","charges":[{"amount":1.5,"currency":"USD","type":"total"}]});
}

# the same location, proxying under a prefix of the mock
sub under {
    my $prefix = shift;
    return $::Config =~ s{(proxy_pass http://127.0.0.1:\$TEST_NGINX_RAND_PORT_1/)}{$1$prefix/}r;
}

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("user_files", $::Files) unless defined $block->user_files;
    $block->set_value("http_config", $::HttpConfig)
        unless defined $block->http_config;
    $block->set_value("config", $::Config) unless defined $block->config;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: organizations: GET /api/v1/org with both keys
--- request
GET /unified/usage-metering/organizations?integrated_account_id=dd-1
--- response_body eval
'{"result":[' . $::OrgPOut . ',' . $::OrgCOut . '],"next_cursor":null,"result_count":2}'
--- error_log
usage_metering: call GET /_um/datadog/api/v1/org?
--- no_error_log
[error]



=== TEST 2: organizations: get by public id
--- request
GET /unified/usage-metering/organizations/xyz789child?integrated_account_id=dd-1
--- response_body eval
$::OrgCOut
--- error_log
usage_metering: call GET /_um/datadog/api/v1/org/xyz789child?
--- no_error_log
[error]



=== TEST 3: organizations: an unknown id is Datadog's 404
--- request
GET /unified/usage-metering/organizations/nope?integrated_account_id=dd-1
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"Not found","truto_is_remote_error":true,"raw_response":{"errors":["Not found"]}}



=== TEST 4: organizations: no organization is an empty list
--- config eval: ::under('empty')
--- request
GET /unified/usage-metering/organizations?integrated_account_id=dd-1
--- response_body chomp
{"result":[],"next_cursor":null,"result_count":0}
--- error_log
usage_metering: call GET /_um/datadog/api/v1/org?



=== TEST 5: usage: by default the current month, from estimated_cost only
--- request
GET /unified/usage-metering/usage?integrated_account_id=dd-1
--- response_body eval
'{"result":[' . $::Est1Out . '],"next_cursor":null,"result_count":1}'
--- error_log eval
"usage_metering: call GET /_um/datadog/api/v2/usage/estimated_cost?view=sub-org&start_month=$::Cur&end_month=$::Cur"
--- no_error_log
usage_metering: call GET /_um/datadog/api/v2/usage/historical_cost
[error]



=== TEST 6: usage: past months from historical_cost: one row per org record and product, zero costs kept
--- request
GET /unified/usage-metering/usage?integrated_account_id=dd-1&start_date=2024-01-01&end_date=2024-03-01
--- response_body eval
'{"result":[' . $::Hist1Out . ',' . $::Hist2Out . '],"next_cursor":null,"result_count":3}'
--- error_log
usage_metering: call GET /_um/datadog/api/v2/usage/historical_cost?view=sub-org&start_month=2024-01&end_month=2024-02
--- no_error_log
usage_metering: call GET /_um/datadog/api/v2/usage/estimated_cost
[error]



=== TEST 7: usage: month resolution: a date inside a month means that month; end_date defaults to its end
--- config eval: ::under('echo')
--- request
GET /unified/usage-metering/usage?integrated_account_id=dd-1&start_date=2024-02-15T10:30:00Z&truto_ignore_remote_data=true&truto_exclude_fields=organization,product,metric_name,charges,start_date,end_date
--- response_body chomp
{"result":[{"id":"/echo/api/v2/usage/historical_cost?view=sub-org&start_month=2024-02&end_month=2024-02:infra_host"}],"next_cursor":null,"result_count":1}



=== TEST 8: usage: a range over past and current months: history until the previous month's is published (the 16th), estimated cost after it
--- config eval: ::under('echo')
--- request eval
"GET /unified/usage-metering/usage?integrated_account_id=dd-1&start_date=$::Prev-01&end_date=$::Next-01&truto_ignore_remote_data=true&truto_exclude_fields=organization,product,metric_name,start_date,end_date"
--- response_body eval
$::Early
? '{"result":[' . ::echo_row("estimated_cost?view=sub-org&start_month=$::Prev&end_month=$::Cur") . '],"next_cursor":null,"result_count":1}'
: '{"result":[' . ::echo_row("historical_cost?view=sub-org&start_month=$::Prev&end_month=$::Prev") . ','
  . ::echo_row("estimated_cost?view=sub-org&start_month=$::Cur&end_month=$::Cur") . '],"next_cursor":null,"result_count":2}'



=== TEST 9: usage: the previous month alone: estimated cost before the 16th, history from the 16th
--- config eval: ::under('echo')
--- request eval
"GET /unified/usage-metering/usage?integrated_account_id=dd-1&start_date=$::Prev-01&truto_ignore_remote_data=true&truto_exclude_fields=organization,product,metric_name,start_date,end_date"
--- response_body eval
'{"result":[' . ::echo_row(($::Early ? 'estimated_cost' : 'historical_cost') . "?view=sub-org&start_month=$::Prev&end_month=$::Prev") . '],"next_cursor":null,"result_count":1}'



=== TEST 10: usage: two months back is always history; the previous month follows the 16th
--- config eval: ::under('echo')
--- request eval
"GET /unified/usage-metering/usage?integrated_account_id=dd-1&start_date=$::Prev2-01&end_date=$::Cur-01&truto_ignore_remote_data=true&truto_exclude_fields=organization,product,metric_name,start_date,end_date"
--- response_body eval
$::Early
? '{"result":[' . ::echo_row("historical_cost?view=sub-org&start_month=$::Prev2&end_month=$::Prev2") . ','
  . ::echo_row("estimated_cost?view=sub-org&start_month=$::Prev&end_month=$::Prev") . '],"next_cursor":null,"result_count":2}'
: '{"result":[' . ::echo_row("historical_cost?view=sub-org&start_month=$::Prev2&end_month=$::Prev") . '],"next_cursor":null,"result_count":1}'



=== TEST 11: usage: remote_query is passed through, and no client header reaches Datadog
--- config eval: ::under('echo')
--- more_headers
Cookie: session=abc
--- request
GET /unified/usage-metering/usage?integrated_account_id=dd-1&start_date=2024-02-01&remote_query[include_connected_accounts]=true&remote_query[view]=summary&truto_ignore_remote_data=true&truto_exclude_fields=organization,product,metric_name,charges,start_date,end_date
--- response_body chomp
{"result":[{"id":"/echo/api/v2/usage/historical_cost?start_month=2024-02&end_month=2024-02&include_connected_accounts=true&view=summary:infra_host"}],"next_cursor":null,"result_count":1}



=== TEST 12: usage: no cost yet is an empty list
--- config eval: ::under('empty')
--- request
GET /unified/usage-metering/usage?integrated_account_id=dd-1
--- response_body chomp
{"result":[],"next_cursor":null,"result_count":0}



=== TEST 13: usage: limit trims the rows of one answer; next_cursor resumes after them
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=dd-1&start_date=2024-02-01&limit=2",
  "GET /unified/usage-metering/usage?integrated_account_id=dd-1&start_date=2024-02-01&limit=2&next_cursor="
  . ::cursor('usage', [['integrated_account_id', 'dd-1'], ['start_date', '2024-02-01'], ['limit', '2']], [0, 2, '']) ]
--- response_body eval
[ '{"result":[' . $::Hist1Out . '],"next_cursor":"'
  . ::cursor('usage', [['integrated_account_id', 'dd-1'], ['start_date', '2024-02-01'], ['limit', '2']], [0, 2, ''])
  . '","result_count":2}',
  '{"result":[' . $::Hist2Out . '],"next_cursor":null,"result_count":1}' ]
--- error_code eval
[200, 200]



=== TEST 14: products: the static list, no provider call; limit pages it
--- request eval
[ "GET /unified/usage-metering/products?integrated_account_id=dd-1&limit=3",
  "GET /unified/usage-metering/products?integrated_account_id=dd-1&limit=3&next_cursor="
  . ::cursor('products', [['integrated_account_id', 'dd-1'], ['limit', '3']], [0, 3, '']) ]
--- response_body eval
[ '{"result":[{"id":"infra_host","name":"Infrastructure Hosts"},{"id":"infra_container_excl_agent","name":"Infrastructure Containers"},{"id":"timeseries","name":"Custom Metrics"}],"next_cursor":"'
  . ::cursor('products', [['integrated_account_id', 'dd-1'], ['limit', '3']], [0, 3, '']) . '","result_count":3}',
  '{"result":[{"id":"ingested_timeseries","name":"Ingested Custom Metrics"},{"id":"custom_event","name":"Custom Events"},{"id":"apm_host","name":"APM Hosts"}],"next_cursor":"'
  . ::cursor('products', [['integrated_account_id', 'dd-1'], ['limit', '3']], [0, 6, '']) . '","result_count":3}' ]
--- no_error_log
usage_metering: call



=== TEST 15: products: every product of the list, as a list and keyed by id
--- request eval
[ "GET /unified/usage-metering/products?integrated_account_id=dd-1",
  "GET /unified/usage-metering/products?integrated_account_id=dd-1&truto_key_by=id" ]
--- response_body eval
[ '{"result":' . $::ProductsJson . ',"next_cursor":null,"result_count":50}',
  '{"result":' . $::ProductsKeyed . ',"next_cursor":null,"result_count":50}' ]



=== TEST 16: workspaces and users are not Datadog's
--- request eval
[ "GET /unified/usage-metering/workspaces?integrated_account_id=dd-1",
  "GET /unified/usage-metering/users?integrated_account_id=dd-1",
  "GET /unified/usage-metering/usage/x?integrated_account_id=dd-1" ]
--- error_code eval
[404, 404, 404]
--- response_body eval
[ '{"statusCode":404,"error":"Not Found","message":"resource \"workspaces\" is not supported by provider \"datadog\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"users\" is not supported by provider \"datadog\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"usage\" (get by id) is not supported by provider \"datadog\""}' ]



=== TEST 17: keys of a child organization: Datadog's 400 and message, passed through
--- config eval: ::under('child-keys')
--- request
GET /unified/usage-metering/usage?integrated_account_id=dd-1
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"API called with non-parent org keys. Data is only available at the root level org","truto_is_remote_error":true,"raw_response":{"errors":["API called with non-parent org keys. Data is only available at the root level org"]}}



=== TEST 18: wrong keys: Datadog's 403
--- config eval
$::Config =~ s{application_key}{app_key}r
--- request
GET /unified/usage-metering/organizations?integrated_account_id=dd-1
--- error_code: 403
--- response_body chomp
{"statusCode":403,"error":"Forbidden","message":"Forbidden","truto_is_remote_error":true,"raw_response":{"errors":["Forbidden"]}}



=== TEST 19: rate limited: 429 with Retry-After and the normalised rate-limit headers
--- config eval: ::under('limited')
--- request
GET /unified/usage-metering/usage?integrated_account_id=dd-1
--- error_code: 429
--- response_headers
Retry-After: 12
ratelimit-limit: 60
ratelimit-remaining: 0
ratelimit-reset: 12
--- response_body chomp
{"statusCode":429,"error":"Too Many Requests","message":"Rate limit of 60 requests in 60 seconds reached. Please try again later.","truto_is_remote_error":true,"raw_response":{"errors":["Rate limit of 60 requests in 60 seconds reached. Please try again later."]}}



=== TEST 20: debug: both keys redacted
--- request
GET /unified/usage-metering/organizations?integrated_account_id=dd-1&truto_response_format=debug
--- response_body_like eval
qr/^(?!.*test-api-key)(?!.*test-application-key).*"requestOptions":\{"method":"GET","headers":\{"dd-api-key":"\[REDACTED\]","dd-application-key":"\[REDACTED\]"/s



=== TEST 21: usage: end_date alone, before the default start (this month), is 400 before any call
--- request
GET /unified/usage-metering/usage?integrated_account_id=dd-1&end_date=2024-01-01
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"resources.usage.list.let.range: end_date must be after start_date, which defaults to the start of the current month"}
--- no_error_log
usage_metering: call
