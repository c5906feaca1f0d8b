# Confluent Cloud (mappings/confluent.json): every resource and method of
# its CONTRACT section 5 row against a mock Confluent on loopback that
# answers only with the account's Basic credentials, as the real API does.
# Exact unified JSON out, exact provider requests (the module's debug log of
# each call), pages followed through metadata.next, provider errors passed
# through.  Usage's own basics are in t/010-usage-list.t.

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

# the same location, proxying under a prefix of the mock
sub under {
    my $prefix = shift;
    return $::Config =~ s{(location /_um/confluent/ \{.*?proxy_pass http://127.0.0.1:\$TEST_NGINX_RAND_PORT_1/)}{$1$prefix/}sr;
}

# the seeds' defaults: the current month, UTC, end exclusive
my @now = gmtime;
my ($y, $m) = ($now[5] + 1900, $now[4] + 1);
our $MonthStart = sprintf "%04d-%02d-01", $y, $m;
our $MonthEnd = $m == 12 ? sprintf("%04d-01-01", $y + 1)
                         : sprintf("%04d-%02d-01", $y, $m + 1);

# provider records, as Confluent sends them; remote_data is each one as is
our $OrgA = '{"api_version":"org/v2","kind":"Organization","id":"9bb441c4-edef-46ac-8a41-c49e44a3fd9a","metadata":{"self":"https://api.confluent.cloud/org/v2/organizations/9bb441c4-edef-46ac-8a41-c49e44a3fd9a","resource_name":"crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a","created_at":"2022-06-01T10:00:00Z","updated_at":"2024-01-15T08:30:00.123456Z"},"display_name":"Finance Org","jit_enabled":false}';
our $OrgB = '{"api_version":"org/v2","kind":"Organization","id":"3c1d7f0e-55a2-4b8e-9f64-0d2e8c6a1b77","metadata":{"self":"https://api.confluent.cloud/org/v2/organizations/3c1d7f0e-55a2-4b8e-9f64-0d2e8c6a1b77","resource_name":"crn://confluent.cloud/organization=3c1d7f0e-55a2-4b8e-9f64-0d2e8c6a1b77","created_at":"2023-11-20T14:05:09Z","updated_at":"2023-11-20T14:05:09Z"},"display_name":"Data Platform","jit_enabled":true}';

our $EnvA = '{"api_version":"org/v2","kind":"Environment","id":"env-a1b2c","metadata":{"self":"https://api.confluent.cloud/org/v2/environments/env-a1b2c","resource_name":"crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a/environment=env-a1b2c","created_at":"2023-02-10T12:00:00Z","updated_at":"2023-02-10T12:00:00Z"},"display_name":"prod-finance01","stream_governance_config":{"package":"ADVANCED"}}';
our $EnvB = '{"api_version":"org/v2","kind":"Environment","id":"env-d4e5f","metadata":{"self":"https://api.confluent.cloud/org/v2/environments/env-d4e5f","resource_name":"crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a/environment=env-d4e5f","created_at":"2023-05-22T09:14:03Z","updated_at":"2024-02-01T16:45:10Z"},"display_name":"staging-finance","stream_governance_config":{"package":"ESSENTIALS"}}';
our $EnvC = '{"api_version":"org/v2","kind":"Environment","id":"env-g7h8i","metadata":{"self":"https://api.confluent.cloud/org/v2/environments/env-g7h8i","resource_name":"crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a/environment=env-g7h8i","created_at":"2024-01-08T18:30:44Z","updated_at":"2024-01-08T18:30:44Z"},"display_name":"dev-sandbox"}';

our $UserA = '{"api_version":"iam/v2","kind":"User","id":"u-1a2b3c","metadata":{"self":"https://api.confluent.cloud/iam/v2/users/u-1a2b3c","resource_name":"crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a/user=u-1a2b3c","created_at":"2022-06-01T10:02:11Z","updated_at":"2024-03-02T07:41:00Z"},"email":"ada@finance.example.com","full_name":"Ada Lovelace","auth_type":"AUTH_TYPE_SSO"}';
our $UserB = '{"api_version":"iam/v2","kind":"User","id":"u-7g8h9i","metadata":{"self":"https://api.confluent.cloud/iam/v2/users/u-7g8h9i","resource_name":"crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a/user=u-7g8h9i","created_at":"2023-04-03T08:00:00Z","updated_at":"2023-04-03T08:00:00Z"},"email":"svc-billing@finance.example.com","full_name":"","auth_type":"AUTH_TYPE_LOCAL"}';
our $UserC = '{"api_version":"iam/v2","kind":"User","id":"u-4d5e6f","metadata":{"self":"https://api.confluent.cloud/iam/v2/users/u-4d5e6f","resource_name":"crn://confluent.cloud/organization=9bb441c4-edef-46ac-8a41-c49e44a3fd9a/user=u-4d5e6f","created_at":"2022-09-14T15:20:45Z","updated_at":"2023-11-30T12:00:00Z","deleted_at":"2024-04-01T00:00:00Z"},"email":"grace@finance.example.com","full_name":"Grace Hopper","auth_type":"AUTH_TYPE_SSO"}';

our $CostA = '{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90de","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","network_access_type":"INTERNET","product":"KAFKA","line_type":"KAFKA_NUM_CKUS","price":2.25,"unit":"CKU-hour","quantity":24.0,"original_amount":54.0,"discount_amount":5.4,"amount":48.6,"resource":{"id":"lkc-12345","display_name":"prod-kafka-cluster","environment":{"id":"env-a1b2c"}}}';
our $CostB = '{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90e0","start_date":"2024-03-01","end_date":"2024-03-02","granularity":"DAILY","product":"SUPPORT_CLOUD_BUSINESS","line_type":"PROMO_CREDIT","description":"KAFKA101","price":0.0,"unit":"USD","quantity":1.0,"original_amount":-10.0,"discount_amount":0.0,"amount":-10.0}';
our $CostC = '{"api_version":"billing/v1","kind":"Cost","id":"dlz-f3a90e3","start_date":"2024-03-02","end_date":"2024-03-03","granularity":"DAILY","product":"KSQL","line_type":"KSQL_NUM_CSUS","price":0.23,"unit":"CSU-hour","quantity":96.0,"original_amount":22.08,"discount_amount":0.0,"amount":22.08,"resource":{"id":"lksqlc-7zq2w","display_name":"fraud-detection","environment":{"id":"env-d4e5f"}}}';

our $OrgAOut = '{"id":"9bb441c4-edef-46ac-8a41-c49e44a3fd9a","name":"Finance Org","created_at":"2022-06-01T10:00:00.000Z","updated_at":"2024-01-15T08:30:00.123Z","remote_data":' . $OrgA . '}';
our $OrgBOut = '{"id":"3c1d7f0e-55a2-4b8e-9f64-0d2e8c6a1b77","name":"Data Platform","created_at":"2023-11-20T14:05:09.000Z","updated_at":"2023-11-20T14:05:09.000Z","remote_data":' . $OrgB . '}';
our $EnvAOut = '{"id":"env-a1b2c","name":"prod-finance01","organization":{"id":"9bb441c4-edef-46ac-8a41-c49e44a3fd9a"},"created_at":"2023-02-10T12:00:00.000Z","updated_at":"2023-02-10T12:00:00.000Z","remote_data":' . $EnvA . '}';
our $EnvBOut = '{"id":"env-d4e5f","name":"staging-finance","organization":{"id":"9bb441c4-edef-46ac-8a41-c49e44a3fd9a"},"created_at":"2023-05-22T09:14:03.000Z","updated_at":"2024-02-01T16:45:10.000Z","remote_data":' . $EnvB . '}';
our $EnvCOut = '{"id":"env-g7h8i","name":"dev-sandbox","organization":{"id":"9bb441c4-edef-46ac-8a41-c49e44a3fd9a"},"created_at":"2024-01-08T18:30:44.000Z","updated_at":"2024-01-08T18:30:44.000Z","remote_data":' . $EnvC . '}';
our $UserAOut = '{"id":"u-1a2b3c","name":"Ada Lovelace","emails":[{"email":"ada@finance.example.com","is_primary":true}],"organization":{"id":"9bb441c4-edef-46ac-8a41-c49e44a3fd9a"},"status":"active","created_at":"2022-06-01T10:02:11.000Z","updated_at":"2024-03-02T07:41:00.000Z","remote_data":' . $UserA . '}';
our $UserBOut = '{"id":"u-7g8h9i","name":"svc-billing@finance.example.com","emails":[{"email":"svc-billing@finance.example.com","is_primary":true}],"organization":{"id":"9bb441c4-edef-46ac-8a41-c49e44a3fd9a"},"status":"active","created_at":"2023-04-03T08:00:00.000Z","updated_at":"2023-04-03T08:00:00.000Z","remote_data":' . $UserB . '}';
our $UserCOut = '{"id":"u-4d5e6f","name":"Grace Hopper","emails":[{"email":"grace@finance.example.com","is_primary":true}],"organization":{"id":"9bb441c4-edef-46ac-8a41-c49e44a3fd9a"},"status":"deleted","created_at":"2022-09-14T15:20:45.000Z","updated_at":"2023-11-30T12:00:00.000Z","remote_data":' . $UserC . '}';
our $CostAOut = '{"id":"dlz-f3a90de","product":{"id":"KAFKA"},"metric_name":"KAFKA_NUM_CKUS","resources":[{"id":"lkc-12345","name":"prod-kafka-cluster","workspace":{"id":"env-a1b2c"}}],"charges":[{"amount":48.6,"currency":"USD","type":"total"},{"amount":54,"currency":"USD","type":"usage_based"},{"amount":5.4,"currency":"USD","type":"discount"}],"usage":{"quantity":24,"unit":"CKU-hour"},"start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z","remote_data":' . $CostA . '}';
our $CostBOut = '{"id":"dlz-f3a90e0","product":{"id":"SUPPORT_CLOUD_BUSINESS"},"metric_name":"PROMO_CREDIT","charges":[{"amount":-10,"currency":"USD","type":"total"},{"amount":-10,"currency":"USD","type":"usage_based"},{"amount":0,"currency":"USD","type":"discount"}],"usage":{"quantity":1,"unit":"USD"},"start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z","remote_data":' . $CostB . '}';
our $CostCOut = '{"id":"dlz-f3a90e3","product":{"id":"KSQL"},"metric_name":"KSQL_NUM_CSUS","resources":[{"id":"lksqlc-7zq2w","name":"fraud-detection","workspace":{"id":"env-d4e5f"}}],"charges":[{"amount":22.08,"currency":"USD","type":"total"},{"amount":22.08,"currency":"USD","type":"usage_based"},{"amount":0,"currency":"USD","type":"discount"}],"usage":{"quantity":96,"unit":"CSU-hour"},"start_date":"2024-03-02T00:00:00.000Z","end_date":"2024-03-03T00:00:00.000Z","remote_data":' . $CostC . '}';

our $CC = 'https://api.confluent.cloud';

# the mock's bodies: page files named by page_token, records by id
our $Files = CORE::join '',
    ">>> orgs.json\n",
    '{"api_version":"org/v2","kind":"OrganizationList","metadata":{"first":"' . $CC . '/org/v2/organizations","next":"' . $CC . '/org/v2/organizations?page_size=1&page_token=b3JnLTI"},"data":[' . $OrgA . "]}\n",
    ">>> orgs-b3JnLTI.json\n",
    '{"api_version":"org/v2","kind":"OrganizationList","metadata":{"first":"' . $CC . '/org/v2/organizations","next":null},"data":[' . $OrgB . "]}\n",
    ">>> org/v2/organizations/9bb441c4-edef-46ac-8a41-c49e44a3fd9a.json\n", $OrgA, "\n",
    ">>> envs.json\n",
    '{"api_version":"org/v2","kind":"EnvironmentList","metadata":{"first":"' . $CC . '/org/v2/environments","next":"' . $CC . '/org/v2/environments?page_size=10&page_token=ZW52LTI","total_size":3},"data":[' . $EnvA . ',' . $EnvB . "]}\n",
    ">>> envs-ZW52LTI.json\n",
    '{"api_version":"org/v2","kind":"EnvironmentList","metadata":{"first":"' . $CC . '/org/v2/environments","next":null,"total_size":3},"data":[' . $EnvC . "]}\n",
    ">>> org/v2/environments/env-g7h8i.json\n", $EnvC, "\n",
    ">>> users.json\n",
    '{"api_version":"iam/v2","kind":"UserList","metadata":{"first":"' . $CC . '/iam/v2/users","next":"' . $CC . '/iam/v2/users?page_size=10&page_token=dS0y"},"data":[' . $UserA . ',' . $UserB . "]}\n",
    ">>> users-dS0y.json\n",
    '{"api_version":"iam/v2","kind":"UserList","metadata":{"next":null},"data":[' . $UserC . "]}\n",
    ">>> iam/v2/users/u-7g8h9i.json\n", $UserB, "\n",
    ">>> costs.json\n",
    '{"api_version":"billing/v1","kind":"CostList","metadata":{"next":"' . $CC . '/billing/v1/costs?end_date=2024-04-01&page_size=2&page_token=Y29zdC0y&start_date=2024-03-01"},"data":[' . $CostA . ',' . $CostB . "]}\n",
    ">>> costs-Y29zdC0y.json\n",
    '{"api_version":"billing/v1","kind":"CostList","metadata":{"next":null},"data":[' . $CostC . "]}\n";

our $HttpConfig = <<'_EOC_';
    usage_metering_mappings       $TEST_NGINX_MAPPINGS;
    usage_metering_account        cc-1 provider=confluent upstream=/_um/confluent
                                  basic_auth=dGVzdC1rZXk6dGVzdC1zZWNyZXQ=;
    usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;
    usage_metering_cursor_ttl     0;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        root $TEST_NGINX_HTML_DIR;

        # Confluent answers only with the Cloud API key and secret
        if ($http_authorization != "Basic dGVzdC1rZXk6dGVzdC1zZWNyZXQ=") {
            return 401 '{"errors":[{"id":"c1e0f7a4","status":"401","code":"invalid_key","title":"Unauthorized","detail":"The API Key is invalid"}]}';
        }

        location = /org/v2/organizations {
            try_files /orgs-$arg_page_token.json /orgs.json;
        }

        location /org/v2/organizations/ {
            try_files $uri.json @not_found;
        }

        location = /org/v2/environments {
            try_files /envs-$arg_page_token.json /envs.json;
        }

        location /org/v2/environments/ {
            try_files $uri.json @not_found;
        }

        location = /iam/v2/users {
            try_files /users-$arg_page_token.json /users.json;
        }

        location /iam/v2/users/ {
            try_files $uri.json @not_found;
        }

        location = /billing/v1/costs {
            try_files /costs-$arg_page_token.json /costs.json;
        }

        location = /echo/billing/v1/costs {
            return 200 '{"api_version":"billing/v1","kind":"CostList","metadata":{"next":null},"data":[{"id":"$request_method $args$http_cookie","start_date":"2024-03-01","end_date":"2024-03-02"}]}';
        }

        location = /empty/org/v2/organizations {
            return 200 '{"api_version":"org/v2","kind":"OrganizationList","metadata":{"first":"https://api.confluent.cloud/org/v2/organizations","next":null,"total_size":0},"data":[]}';
        }

        location = /empty/org/v2/environments {
            return 200 '{"api_version":"org/v2","kind":"EnvironmentList","metadata":{"first":"https://api.confluent.cloud/org/v2/environments","next":null,"total_size":0},"data":[]}';
        }

        location = /empty/iam/v2/users {
            return 200 '{"api_version":"iam/v2","kind":"UserList","metadata":{"first":"https://api.confluent.cloud/iam/v2/users","next":null,"total_size":0},"data":[]}';
        }

        location = /limited/billing/v1/costs {
            add_header Retry-After 30 always;
            add_header X-RateLimit-Limit 80 always;
            add_header X-RateLimit-Remaining 0 always;
            add_header X-RateLimit-Reset 30 always;
            return 429 '{"errors":[{"id":"9d7e","status":"429","code":"too_many_requests","title":"Too Many Requests","detail":"Too many requests. Try again in 30 seconds."}]}';
        }

        location @not_found {
            return 404 '{"errors":[{"id":"5b1b0b2a","status":"404","code":"resource_not_found","title":"Not Found","detail":"The requested resource was not found."}]}';
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/confluent/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_set_header Authorization "Basic $usage_metering_account_basic_auth";
    }
_EOC_

our $A = [['integrated_account_id', 'cc-1']];

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

=== TEST 1: organizations: GET /org/v2/organizations with the account's Basic credentials
--- request
GET /unified/usage-metering/organizations?integrated_account_id=cc-1&limit=1
--- response_body eval
'{"result":[' . $::OrgAOut . '],"next_cursor":"'
. ::cursor('organizations', [@$::A, ['limit', '1']], [0, 0, '/org/v2/organizations?page_size=1&page_token=b3JnLTI'])
. '","result_count":1}'
--- error_log
usage_metering: call GET /_um/confluent/org/v2/organizations?page_size=1
--- no_error_log
[error]



=== TEST 2: organizations: next_cursor follows metadata.next, path and query only
--- request eval
"GET /unified/usage-metering/organizations?integrated_account_id=cc-1&limit=1&next_cursor="
. ::cursor('organizations', [@$::A, ['limit', '1']], [0, 0, '/org/v2/organizations?page_size=1&page_token=b3JnLTI'])
--- response_body eval
'{"result":[' . $::OrgBOut . '],"next_cursor":null,"result_count":1}'
--- error_log
usage_metering: call GET /_um/confluent/org/v2/organizations?page_size=1&page_token=b3JnLTI
--- no_error_log
[error]



=== TEST 3: organizations: get by id
--- request
GET /unified/usage-metering/organizations/9bb441c4-edef-46ac-8a41-c49e44a3fd9a?integrated_account_id=cc-1
--- response_body eval
$::OrgAOut
--- error_log
usage_metering: call GET /_um/confluent/org/v2/organizations/9bb441c4-edef-46ac-8a41-c49e44a3fd9a?
--- no_error_log
[error]



=== TEST 4: organizations: an unknown id is Confluent's 404, passed through
--- request
GET /unified/usage-metering/organizations/0000?integrated_account_id=cc-1
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"The requested resource was not found.","truto_is_remote_error":true,"raw_response":{"errors":[{"id":"5b1b0b2a","status":"404","code":"resource_not_found","title":"Not Found","detail":"The requested resource was not found."}]}}



=== TEST 5: workspaces: one per environment, its organization from resource_name; page size capped at 100
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=cc-1&limit=500
--- response_body eval
'{"result":[' . $::EnvAOut . ',' . $::EnvBOut . '],"next_cursor":"'
. ::cursor('workspaces', [@$::A, ['limit', '500']], [0, 0, '/org/v2/environments?page_size=10&page_token=ZW52LTI'])
. '","result_count":2}'
--- error_log
usage_metering: call GET /_um/confluent/org/v2/environments?page_size=100
--- no_error_log
[error]



=== TEST 6: workspaces: stream reads every page
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=cc-1&truto_response_format=stream
--- response_body eval
'{"result":[' . $::EnvAOut . ',' . $::EnvBOut . ',' . $::EnvCOut . '],"next_cursor":null,"result_count":3}'
--- no_error_log
[error]



=== TEST 7: workspaces: get by id (an environment without stream governance)
--- request
GET /unified/usage-metering/workspaces/env-g7h8i?integrated_account_id=cc-1
--- response_body eval
$::EnvCOut
--- error_log
usage_metering: call GET /_um/confluent/org/v2/environments/env-g7h8i?
--- no_error_log
[error]



=== TEST 8: users: name falls back to the email; a deleted user is deleted; both pages
--- request
GET /unified/usage-metering/users?integrated_account_id=cc-1&truto_response_format=stream
--- response_body eval
'{"result":[' . $::UserAOut . ',' . $::UserBOut . ',' . $::UserCOut . '],"next_cursor":null,"result_count":3}'
--- no_error_log
[error]



=== TEST 9: users: the first page and its cursor
--- request
GET /unified/usage-metering/users?integrated_account_id=cc-1
--- response_body eval
'{"result":[' . $::UserAOut . ',' . $::UserBOut . '],"next_cursor":"'
. ::cursor('users', $::A, [0, 0, '/iam/v2/users?page_size=10&page_token=dS0y'])
. '","result_count":2}'
--- error_log
usage_metering: call GET /_um/confluent/iam/v2/users?
--- no_error_log
[error]



=== TEST 10: users: get by id
--- request
GET /unified/usage-metering/users/u-7g8h9i?integrated_account_id=cc-1
--- response_body eval
$::UserBOut
--- error_log
usage_metering: call GET /_um/confluent/iam/v2/users/u-7g8h9i?
--- no_error_log
[error]



=== TEST 11: organizations, workspaces and users: none is an empty list
--- config eval: ::under('empty')
--- request eval
[ "GET /unified/usage-metering/organizations?integrated_account_id=cc-1",
  "GET /unified/usage-metering/workspaces?integrated_account_id=cc-1",
  "GET /unified/usage-metering/users?integrated_account_id=cc-1" ]
--- response_body eval
[ '{"result":[],"next_cursor":null,"result_count":0}',
  '{"result":[],"next_cursor":null,"result_count":0}',
  '{"result":[],"next_cursor":null,"result_count":0}' ]
--- error_code eval
[200, 200, 200]



=== TEST 12: products: the static list, no provider call
--- request
GET /unified/usage-metering/products?integrated_account_id=cc-1
--- response_body chomp
{"result":[{"id":"KAFKA","name":"Kafka","description":"Kafka clusters: CKUs, partitions, storage, network read and write"},{"id":"CONNECT","name":"Connect","description":"Managed connectors: tasks, capacity, throughput, records"},{"id":"CUSTOM_CONNECT","name":"Custom Connect","description":"Custom connectors: tasks and throughput"},{"id":"KSQL","name":"ksqlDB","description":"ksqlDB clusters: CSUs"},{"id":"FLINK","name":"Flink","description":"Flink compute pools: CFUs"},{"id":"STREAM_GOVERNANCE","name":"Stream Governance","description":"Schema Registry, data quality rules and governance packages"},{"id":"CLUSTER_LINK","name":"Cluster Linking","description":"Cluster links: per link, read and write"},{"id":"AUDIT_LOG","name":"Audit Log","description":"Audit log reads"},{"id":"TABLEFLOW","name":"Tableflow","description":"Kafka topics materialized as tables"},{"id":"USM","name":"Unified Stream Manager","description":"Connected self-managed nodes"},{"id":"SUPPORT_CLOUD_BASIC","name":"Support: Basic"},{"id":"SUPPORT_CLOUD_DEVELOPER","name":"Support: Developer"},{"id":"SUPPORT_CLOUD_BUSINESS","name":"Support: Business"},{"id":"SUPPORT_CLOUD_PREMIER","name":"Support: Premier"}],"next_cursor":null,"result_count":14}
--- no_error_log
usage_metering: call
[error]



=== TEST 13: products: no get by id
--- request
GET /unified/usage-metering/products/KAFKA?integrated_account_id=cc-1
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"resource \"products\" (get by id) is not supported by provider \"confluent\""}
--- no_error_log
usage_metering: call



=== TEST 14: usage: the default window is the current month; a promo credit without a resource
--- request
GET /unified/usage-metering/usage?integrated_account_id=cc-1&limit=2
--- response_body eval
'{"result":[' . $::CostAOut . ',' . $::CostBOut . '],"next_cursor":"'
. ::cursor('usage', [@$::A, ['limit', '2']], [0, 0, '/billing/v1/costs?end_date=2024-04-01&page_size=2&page_token=Y29zdC0y&start_date=2024-03-01'])
. '","result_count":2}'
--- error_log eval
"usage_metering: call GET /_um/confluent/billing/v1/costs?start_date=$::MonthStart&end_date=$::MonthEnd&page_size=2"
--- no_error_log
[error]



=== TEST 15: usage: the next page through metadata.next
--- request eval
"GET /unified/usage-metering/usage?integrated_account_id=cc-1&limit=2&next_cursor="
. ::cursor('usage', [@$::A, ['limit', '2']], [0, 0, '/billing/v1/costs?end_date=2024-04-01&page_size=2&page_token=Y29zdC0y&start_date=2024-03-01'])
--- response_body eval
'{"result":[' . $::CostCOut . '],"next_cursor":null,"result_count":1}'
--- error_log
usage_metering: call GET /_um/confluent/billing/v1/costs?end_date=2024-04-01&page_size=2&page_token=Y29zdC0y&start_date=2024-03-01
--- no_error_log
[error]



=== TEST 16: usage: a range over three months is asked for month by month, in order (a date-time end_date includes its day); no client header reaches Confluent
--- config eval
$::Config =~ s{(location /_um/confluent/ \{.*?proxy_pass http://127.0.0.1:\$TEST_NGINX_RAND_PORT_1/)}{$1echo/}sr
--- more_headers
Cookie: session=abc
--- request
GET /unified/usage-metering/usage?integrated_account_id=cc-1&start_date=2024-01-15&end_date=2024-03-10T12:00:00Z&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"GET start_date=2024-01-15&end_date=2024-02-01","start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z"},{"id":"GET start_date=2024-02-01&end_date=2024-03-01","start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z"},{"id":"GET start_date=2024-03-01&end_date=2024-03-11","start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z"}],"next_cursor":null,"result_count":3}
--- no_error_log
[error]



=== TEST 17: usage: end_date is exclusive, as Confluent's: a date is sent as it is, a date-time as its day, or the next day when it is not midnight UTC; start_date is cut to its day
--- config eval: ::under('echo')
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=cc-1&start_date=2024-03-01&end_date=2024-03-31&truto_ignore_remote_data=true&truto_exclude_fields=start_date,end_date",
  "GET /unified/usage-metering/usage?integrated_account_id=cc-1&start_date=2024-03-01&end_date=2024-03-31T23:59:59Z&truto_ignore_remote_data=true&truto_exclude_fields=start_date,end_date",
  "GET /unified/usage-metering/usage?integrated_account_id=cc-1&start_date=2024-03-01T10:00:00Z&end_date=2024-04-01T00:00:00%2B00:00&truto_ignore_remote_data=true&truto_exclude_fields=start_date,end_date",
  "GET /unified/usage-metering/usage?integrated_account_id=cc-1&start_date=2024-03-05T18:00:00-08:00&end_date=2024-03-06T01:00:00-08:00&truto_ignore_remote_data=true&truto_exclude_fields=start_date,end_date" ]
--- response_body eval
[ '{"result":[{"id":"GET start_date=2024-03-01&end_date=2024-03-31"}],"next_cursor":null,"result_count":1}',
  '{"result":[{"id":"GET start_date=2024-03-01&end_date=2024-04-01"}],"next_cursor":null,"result_count":1}',
  '{"result":[{"id":"GET start_date=2024-03-01&end_date=2024-04-01"}],"next_cursor":null,"result_count":1}',
  '{"result":[{"id":"GET start_date=2024-03-06&end_date=2024-03-07"}],"next_cursor":null,"result_count":1}' ]



=== TEST 18: usage: limit is the page size; Confluent's maximum, 10000, is the unified API's too
--- config eval: ::under('echo')
--- request
GET /unified/usage-metering/usage?integrated_account_id=cc-1&start_date=2024-03-01&limit=10000&truto_ignore_remote_data=true&truto_exclude_fields=start_date,end_date
--- response_body chomp
{"result":[{"id":"GET start_date=2024-03-01&end_date=2024-04-01&page_size=10000"}],"next_cursor":null,"result_count":1}



=== TEST 19: usage: more than eight months in one request is refused before any call
--- request
GET /unified/usage-metering/usage?integrated_account_id=cc-1&start_date=2024-01-01&end_date=2024-09-02
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"resources.usage.list.let.span: Confluent usage covers at most 8 calendar months per request; ask for a shorter range"}
--- no_error_log
usage_metering: call



=== TEST 20: usage: remote_query replaces the mapped parameter of its name
--- config eval
$::Config =~ s{(location /_um/confluent/ \{.*?proxy_pass http://127.0.0.1:\$TEST_NGINX_RAND_PORT_1/)}{$1echo/}sr
--- request
GET /unified/usage-metering/usage?integrated_account_id=cc-1&start_date=2024-02-01&remote_query[end_date]=2024-02-15&remote_query[page_size]=7&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"GET start_date=2024-02-01&end_date=2024-02-15&page_size=7","start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z"}],"next_cursor":null,"result_count":1}



=== TEST 21: a key Confluent refuses: its 401 and message, passed through
--- config eval
$::Config =~ s{basic_auth}{basic_auth_missing}r
--- request
GET /unified/usage-metering/users?integrated_account_id=cc-1
--- error_code: 401
--- response_body chomp
{"statusCode":401,"error":"Unauthorized","message":"The API Key is invalid","truto_is_remote_error":true,"raw_response":{"errors":[{"id":"c1e0f7a4","status":"401","code":"invalid_key","title":"Unauthorized","detail":"The API Key is invalid"}]}}



=== TEST 22: rate limited: 429 with Retry-After and the normalised rate-limit headers
--- config eval
$::Config =~ s{(location /_um/confluent/ \{.*?proxy_pass http://127.0.0.1:\$TEST_NGINX_RAND_PORT_1/)}{$1limited/}sr
--- request
GET /unified/usage-metering/usage?integrated_account_id=cc-1
--- error_code: 429
--- response_headers
Retry-After: 30
ratelimit-limit: 80
ratelimit-remaining: 0
ratelimit-reset: 30
--- response_body chomp
{"statusCode":429,"error":"Too Many Requests","message":"Too many requests. Try again in 30 seconds.","truto_is_remote_error":true,"raw_response":{"errors":[{"id":"9d7e","status":"429","code":"too_many_requests","title":"Too Many Requests","detail":"Too many requests. Try again in 30 seconds."}]}}



=== TEST 23: an unknown resource is 404
--- request
GET /unified/usage-metering/invoices?integrated_account_id=cc-1
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"unknown resource \"invoices\"; resources are organizations, products, usage, workspaces and users"}



=== TEST 24: usage: end_date alone, before the default start (this month), is 400 before any call
--- request
GET /unified/usage-metering/usage?integrated_account_id=cc-1&end_date=2024-01-01
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"resources.usage.list.let.range: end_date must be after start_date, which defaults to the start of the current month"}
--- no_error_log
usage_metering: call
