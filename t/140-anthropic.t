# Anthropic (provider=anthropic): every resource of its CONTRACT row against
# a mock of the Admin API on loopback: exact unified JSON, the exact provider
# requests (x-api-key from the account, anthropic-version), the Claude Code
# and Messages reports of one day (yesterday by default, computed now),
# pagination of both through one next_cursor, provider errors.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(encode_base64url);
use POSIX ();

our $Secret = 'test-cursor-secret-0123456789abcdef';

# next_cursor as the module makes it (src/um_cursor.c, see t/060) with
# usage_metering_cursor_ttl 0
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

# the default day: yesterday, UTC
my $day = int(time / 86400) - 1;
our $Yesterday = POSIX::strftime('%Y-%m-%d', gmtime($day * 86400));
our $Today = POSIX::strftime('%Y-%m-%d', gmtime(($day + 1) * 86400));

our $Accounts = <<'_EOC_';
    usage_metering_mappings       $TEST_NGINX_MAPPINGS;
    usage_metering_account        an-1 provider=anthropic upstream=/_um/anthropic
                                  admin_key=sk-ant-admin01-test-0123456789;
    usage_metering_account        an-bad provider=anthropic upstream=/_um/anthropic
                                  admin_key=sk-ant-admin01-revoked;
    usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;
    usage_metering_cursor_ttl     0;
_EOC_

# the Admin API: wants the key and the version header; answers from files
# named after the day and the continuation, as sent (":" is "%3A")
our $Mock = <<'_EOC_';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        root $TEST_NGINX_HTML_DIR/anthropic;

        if ($http_x_api_key != "sk-ant-admin01-test-0123456789") {
            return 401 '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}';
        }

        if ($http_anthropic_version != "2023-06-01") {
            return 400 '{"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: header is required"}}';
        }

        location = /v1/organizations/me {
            try_files /me.json =404;
        }

        location = /v1/organizations/workspaces {
            try_files /workspaces-$arg_after_id.json /workspaces.json;
        }

        location /v1/organizations/workspaces/ {
            try_files $uri.json @missing;
        }

        location = /v1/organizations/users {
            try_files /users-$arg_after_id.json /users.json;
        }

        location /v1/organizations/users/ {
            try_files $uri.json @missing;
        }

        location = /v1/organizations/usage_report/claude_code {
            try_files /claude_code-$arg_starting_at-$arg_page.json
                      /claude_code-$arg_starting_at.json /claude_code-empty.json;
        }

        location = /v1/organizations/usage_report/messages {
            try_files /messages-$arg_starting_at-$arg_page.json
                      /messages-$arg_starting_at.json /messages-empty.json;
        }

        location @missing {
            return 404 '{"type":"error","error":{"type":"not_found_error","message":"No such object: $uri"}}';
        }
    }
_EOC_

# a provider that answers with what it was sent: read with truto_response_format=raw
our $Echo = <<'_EOC_';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;

        location / {
            return 200 '{"request":"$request_method $request_uri","x-api-key":"$http_x_api_key","anthropic-version":"$http_anthropic_version","authorization":"$http_authorization","cookie":"$http_cookie"}';
        }
    }
_EOC_

our $Location = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/anthropic/ {
        internal;
        proxy_pass                  http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers  off;
        proxy_set_header            x-api-key $usage_metering_account_admin_key;
        proxy_set_header            anthropic-version 2023-06-01;
        proxy_set_header            Accept application/json;
    }
_EOC_

our $Files = <<'_EOC_';
>>> anthropic/me.json
{"id":"12345678-1234-5678-1234-567812345678","type":"organization","name":"Acme Research"}
>>> anthropic/workspaces.json
{"data":[
{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","type":"workspace","name":"Production","display_color":"#6C5BB9","created_at":"2024-10-30T23:58:27.427722Z","archived_at":null},
{"id":"wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe","type":"workspace","name":"Research","display_color":"#2F80ED","created_at":"2025-02-11T08:00:00Z","archived_at":null}
],"has_more":true,"first_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","last_id":"wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe"}
>>> anthropic/workspaces-wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe.json
{"data":[
{"id":"wrkspc_01Zz8aB2cD3eF4gH5iJ6kL7m","type":"workspace","name":"Old experiments","display_color":"#EB5757","created_at":"2024-06-01T12:30:00.5Z","archived_at":"2025-01-02T00:00:00Z"}
],"has_more":false,"first_id":"wrkspc_01Zz8aB2cD3eF4gH5iJ6kL7m","last_id":"wrkspc_01Zz8aB2cD3eF4gH5iJ6kL7m"}
>>> anthropic/v1/organizations/workspaces/wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ.json
{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","type":"workspace","name":"Production","display_color":"#6C5BB9","created_at":"2024-10-30T23:58:27.427722Z","archived_at":null}
>>> anthropic/users.json
{"data":[
{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","type":"user","email":"jane@example.com","name":"Jane Doe","role":"developer","added_at":"2024-10-30T23:58:27.427722Z"},
{"id":"user_01Xk9QpT3fR7bLm2nYc4dZaE","type":"user","email":"ravi@example.com","name":"Ravi Admin","role":"admin","added_at":"2024-11-02T09:15:00Z"}
],"has_more":true,"first_id":"user_01WCz1FkmYMm4gnmykNKUu3Q","last_id":"user_01Xk9QpT3fR7bLm2nYc4dZaE"}
>>> anthropic/users-user_01Xk9QpT3fR7bLm2nYc4dZaE.json
{"data":[
{"id":"user_01Ab2Cd3Ef4Gh5Ij6Kl7Mn8Op","type":"user","email":"dev@example.com","name":"Dev Coder","role":"claude_code_user","added_at":"2025-03-04T10:00:00Z"}
],"has_more":false,"first_id":"user_01Ab2Cd3Ef4Gh5Ij6Kl7Mn8Op","last_id":"user_01Ab2Cd3Ef4Gh5Ij6Kl7Mn8Op"}
>>> anthropic/v1/organizations/users/user_01Xk9QpT3fR7bLm2nYc4dZaE.json
{"id":"user_01Xk9QpT3fR7bLm2nYc4dZaE","type":"user","email":"ravi@example.com","name":"Ravi Admin","role":"admin","added_at":"2024-11-02T09:15:00Z"}
>>> anthropic/claude_code-2025-08-08.json
{"data":[
{"date":"2025-08-08T00:00:00Z","actor":{"type":"user_actor","email_address":"dev@example.com"},"organization_id":"12345678-1234-5678-1234-567812345678","customer_type":"api","terminal_type":"iTerm.app","core_metrics":{"num_sessions":15,"lines_of_code":{"added":342,"removed":128},"commits_by_claude_code":8,"pull_requests_by_claude_code":2},"tool_actions":{"edit_tool":{"accepted":25,"rejected":3},"multi_edit_tool":{"accepted":12,"rejected":1},"write_tool":{"accepted":8,"rejected":2},"notebook_edit_tool":{"accepted":0,"rejected":0}},"model_breakdown":[{"model":"claude-sonnet-4-20250514","tokens":{"input":45230,"output":12450,"cache_read":8790,"cache_creation":2340},"estimated_cost":{"currency":"USD","amount":186}},{"model":"claude-3-5-haiku-20241022","tokens":{"input":23100,"output":5680,"cache_read":3420,"cache_creation":890},"estimated_cost":{"currency":"USD","amount":42}}]},
{"date":"2025-08-08T00:00:00Z","actor":{"type":"api_actor","api_key_name":"ci-bot-key"},"organization_id":"12345678-1234-5678-1234-567812345678","customer_type":"api","terminal_type":"vscode","core_metrics":{"num_sessions":3,"lines_of_code":{"added":40,"removed":5},"commits_by_claude_code":1,"pull_requests_by_claude_code":0},"tool_actions":{"edit_tool":{"accepted":4,"rejected":0},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":1,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}},"model_breakdown":[{"model":"claude-opus-4-1-20250805","tokens":{"input":5000,"output":900,"cache_read":0,"cache_creation":0},"estimated_cost":{"currency":"USD","amount":1457.5}}]}
],"has_more":true,"next_page":"page_Y2M6MjAyNS0wOC0wODoy"}
>>> anthropic/claude_code-2025-08-08-page_Y2M6MjAyNS0wOC0wODoy.json
{"data":[
{"date":"2025-08-08T00:00:00Z","actor":{"type":"user_actor","email_address":"jane@example.com"},"organization_id":"12345678-1234-5678-1234-567812345678","customer_type":"subscription","subscription_type":"enterprise","terminal_type":"tmux","core_metrics":{"num_sessions":1,"lines_of_code":{"added":0,"removed":0},"commits_by_claude_code":0,"pull_requests_by_claude_code":0},"tool_actions":{"edit_tool":{"accepted":0,"rejected":1},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":0,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}},"model_breakdown":[]}
],"has_more":false,"next_page":null}
>>> anthropic/claude_code-empty.json
{"data":[],"has_more":false,"next_page":null}
>>> anthropic/messages-2025-08-08T00%3A00%3A00Z.json
{"data":[{"starting_at":"2025-08-08T00:00:00Z","ending_at":"2025-08-09T00:00:00Z","results":[
{"uncached_input_tokens":1500,"cache_creation":{"ephemeral_1h_input_tokens":1000,"ephemeral_5m_input_tokens":500},"cache_read_input_tokens":200,"output_tokens":500,"server_tool_use":{"web_search_requests":10},"api_key_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","model":"claude-sonnet-4-20250514","service_tier":null,"context_window":null,"inference_geo":null},
{"uncached_input_tokens":98000,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":12000},"cache_read_input_tokens":64000,"output_tokens":7100,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd","workspace_id":null,"model":"claude-opus-4-1-20250805","service_tier":null,"context_window":null,"inference_geo":null}
]}],"has_more":false,"next_page":null}
>>> anthropic/messages-2025-08-09T00%3A00%3A00Z.json
{"data":[{"starting_at":"2025-08-09T00:00:00Z","ending_at":"2025-08-10T00:00:00Z","results":[
{"uncached_input_tokens":2200,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":300},"cache_read_input_tokens":900,"output_tokens":640,"server_tool_use":{"web_search_requests":2},"api_key_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","model":"claude-sonnet-4-20250514","service_tier":null,"context_window":null,"inference_geo":null}
]}],"has_more":true,"next_page":"page_bXNnOjIwMjUtMDgtMDk6Mg"}
>>> anthropic/messages-2025-08-09T00%3A00%3A00Z-page_bXNnOjIwMjUtMDgtMDk6Mg.json
{"data":[{"starting_at":"2025-08-09T00:00:00Z","ending_at":"2025-08-10T00:00:00Z","results":[
{"uncached_input_tokens":51000,"cache_read_input_tokens":0,"output_tokens":4100,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd","workspace_id":"wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe","model":"claude-opus-4-1-20250805","service_tier":null,"context_window":null,"inference_geo":null}
]}],"has_more":false,"next_page":null}
>>> anthropic/messages-empty.json
{"data":[{"starting_at":"2025-08-07T00:00:00Z","ending_at":"2025-08-08T00:00:00Z","results":[]}],"has_more":false,"next_page":null}
_EOC_

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("user_files", $::Files) unless defined $block->user_files;
    $block->set_value("http_config", $::Accounts . $::Mock)
        unless defined $block->http_config;
    $block->set_value("config", $::Location) unless defined $block->config;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: organizations: the admin key's organization, one record
--- request
GET /unified/usage-metering/organizations?integrated_account_id=an-1
--- response_body chomp
{"result":[{"id":"12345678-1234-5678-1234-567812345678","name":"Acme Research","remote_data":{"id":"12345678-1234-5678-1234-567812345678","type":"organization","name":"Acme Research"}}],"next_cursor":null,"result_count":1}
--- no_error_log
[error]
[warn]



=== TEST 2: organizations: the provider request; no get by id
--- http_config eval: $::Accounts . $::Echo
--- more_headers
Authorization: Bearer client-secret
Cookie: session=abc
--- request eval
[ "GET /unified/usage-metering/organizations?integrated_account_id=an-1&truto_response_format=raw",
  "GET /unified/usage-metering/organizations/12345678-1234-5678-1234-567812345678?integrated_account_id=an-1" ]
--- error_code eval
[200, 404]
--- response_body eval
[ '{"request":"GET /v1/organizations/me","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"organizations\" (get by id) is not supported by provider \"anthropic\""}' ]



=== TEST 3: workspaces: two pages through after_id, and get by id
--- request eval
[ "GET /unified/usage-metering/workspaces?integrated_account_id=an-1",
  "GET /unified/usage-metering/workspaces?integrated_account_id=an-1&next_cursor=" . ::cursor('workspaces', [['integrated_account_id', 'an-1']], [0, 0, 'wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe']),
  "GET /unified/usage-metering/workspaces/wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ?integrated_account_id=an-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/workspaces/wrkspc_nope?integrated_account_id=an-1" ]
--- error_code eval
[200, 200, 200, 404]
--- response_body eval
[ '{"result":[{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","name":"Production","created_at":"2024-10-30T23:58:27.427Z","remote_data":{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","type":"workspace","name":"Production","display_color":"#6C5BB9","created_at":"2024-10-30T23:58:27.427722Z","archived_at":null}},{"id":"wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe","name":"Research","created_at":"2025-02-11T08:00:00.000Z","remote_data":{"id":"wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe","type":"workspace","name":"Research","display_color":"#2F80ED","created_at":"2025-02-11T08:00:00Z","archived_at":null}}],"next_cursor":"' . ::cursor('workspaces', [['integrated_account_id', 'an-1']], [0, 0, 'wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe']) . '","result_count":2}',
  '{"result":[{"id":"wrkspc_01Zz8aB2cD3eF4gH5iJ6kL7m","name":"Old experiments","created_at":"2024-06-01T12:30:00.500Z","remote_data":{"id":"wrkspc_01Zz8aB2cD3eF4gH5iJ6kL7m","type":"workspace","name":"Old experiments","display_color":"#EB5757","created_at":"2024-06-01T12:30:00.5Z","archived_at":"2025-01-02T00:00:00Z"}}],"next_cursor":null,"result_count":1}',
  '{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","name":"Production","created_at":"2024-10-30T23:58:27.427Z"}',
  '{"statusCode":404,"error":"Not Found","message":"No such object: /v1/organizations/workspaces/wrkspc_nope","truto_is_remote_error":true,"raw_response":{"type":"error","error":{"type":"not_found_error","message":"No such object: /v1/organizations/workspaces/wrkspc_nope"}}}' ]



=== TEST 4: workspaces: the provider requests
--- http_config eval: $::Accounts . $::Echo
--- request eval
[ "GET /unified/usage-metering/workspaces?integrated_account_id=an-1&truto_response_format=raw&limit=5000&include_archived=true",
  "GET /unified/usage-metering/workspaces?integrated_account_id=an-1&truto_response_format=raw&next_cursor=" . ::cursor('workspaces', [['integrated_account_id', 'an-1']], [0, 0, 'wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe']),
  "GET /unified/usage-metering/workspaces/wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ?integrated_account_id=an-1&truto_response_format=raw" ]
--- response_body eval
[ '{"request":"GET /v1/organizations/workspaces?limit=1000&include_archived=true","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}',
  '{"request":"GET /v1/organizations/workspaces?after_id=wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}',
  '{"request":"GET /v1/organizations/workspaces/wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}' ]



=== TEST 5: users: emails, roles, two pages through after_id, get by id
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=an-1",
  "GET /unified/usage-metering/users?integrated_account_id=an-1&truto_ignore_remote_data=true&next_cursor=" . ::cursor('users', [['integrated_account_id', 'an-1']], [0, 0, 'user_01Xk9QpT3fR7bLm2nYc4dZaE']),
  "GET /unified/usage-metering/users/user_01Xk9QpT3fR7bLm2nYc4dZaE?integrated_account_id=an-1",
  "GET /unified/usage-metering/users/user_01Nobody?integrated_account_id=an-1" ]
--- error_code eval
[200, 200, 200, 404]
--- response_body eval
[ '{"result":[{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","name":"Jane Doe","emails":[{"email":"jane@example.com","is_primary":true}],"roles":[{"id":"developer","name":"developer"}],"status":"active","created_at":"2024-10-30T23:58:27.427Z","remote_data":{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","type":"user","email":"jane@example.com","name":"Jane Doe","role":"developer","added_at":"2024-10-30T23:58:27.427722Z"}},{"id":"user_01Xk9QpT3fR7bLm2nYc4dZaE","name":"Ravi Admin","emails":[{"email":"ravi@example.com","is_primary":true}],"roles":[{"id":"admin","name":"admin"}],"status":"active","created_at":"2024-11-02T09:15:00.000Z","remote_data":{"id":"user_01Xk9QpT3fR7bLm2nYc4dZaE","type":"user","email":"ravi@example.com","name":"Ravi Admin","role":"admin","added_at":"2024-11-02T09:15:00Z"}}],"next_cursor":"' . ::cursor('users', [['integrated_account_id', 'an-1']], [0, 0, 'user_01Xk9QpT3fR7bLm2nYc4dZaE']) . '","result_count":2}',
  '{"result":[{"id":"user_01Ab2Cd3Ef4Gh5Ij6Kl7Mn8Op","name":"Dev Coder","emails":[{"email":"dev@example.com","is_primary":true}],"roles":[{"id":"claude_code_user","name":"claude_code_user"}],"status":"active","created_at":"2025-03-04T10:00:00.000Z"}],"next_cursor":null,"result_count":1}',
  '{"id":"user_01Xk9QpT3fR7bLm2nYc4dZaE","name":"Ravi Admin","emails":[{"email":"ravi@example.com","is_primary":true}],"roles":[{"id":"admin","name":"admin"}],"status":"active","created_at":"2024-11-02T09:15:00.000Z","remote_data":{"id":"user_01Xk9QpT3fR7bLm2nYc4dZaE","type":"user","email":"ravi@example.com","name":"Ravi Admin","role":"admin","added_at":"2024-11-02T09:15:00Z"}}',
  '{"statusCode":404,"error":"Not Found","message":"No such object: /v1/organizations/users/user_01Nobody","truto_is_remote_error":true,"raw_response":{"type":"error","error":{"type":"not_found_error","message":"No such object: /v1/organizations/users/user_01Nobody"}}}' ]



=== TEST 6: users: the provider requests
--- http_config eval: $::Accounts . $::Echo
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=an-1&truto_response_format=raw",
  "GET /unified/usage-metering/users?integrated_account_id=an-1&truto_response_format=raw&limit=50&email=ravi%40example.com",
  "GET /unified/usage-metering/users?integrated_account_id=an-1&truto_response_format=raw&next_cursor=" . ::cursor('users', [['integrated_account_id', 'an-1']], [0, 0, 'user_01Xk9QpT3fR7bLm2nYc4dZaE']),
  "GET /unified/usage-metering/users/user_01Xk9QpT3fR7bLm2nYc4dZaE?integrated_account_id=an-1&truto_response_format=raw" ]
--- response_body eval
[ '{"request":"GET /v1/organizations/users","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}',
  '{"request":"GET /v1/organizations/users?limit=50&email=ravi%40example.com","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}',
  '{"request":"GET /v1/organizations/users?after_id=user_01Xk9QpT3fR7bLm2nYc4dZaE","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}',
  '{"request":"GET /v1/organizations/users/user_01Xk9QpT3fR7bLm2nYc4dZaE","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}' ]



=== TEST 7: products: static, no provider call
--- request
GET /unified/usage-metering/products?integrated_account_id=an-1&truto_exclude_fields=description
--- response_body chomp
{"result":[{"id":"claude_code","name":"Claude Code"},{"id":"api","name":"Claude API"}],"next_cursor":null,"result_count":2}
--- no_error_log
usage_metering: call



=== TEST 8: usage: Claude Code rows per record and model (user and api actors), then Messages rows
--- request
GET /unified/usage-metering/usage?integrated_account_id=an-1&date=2025-08-08
--- response_body eval
'{"result":[{"id":"2025-08-08:dev@example.com:iTerm.app:claude-sonnet-4-20250514","product":{"id":"claude_code","name":"Claude Code"},"surface":"claude_code","model":{"id":"claude-sonnet-4-20250514","provider":"anthropic"},"organization":{"id":"12345678-1234-5678-1234-567812345678"},"user":{"email":"dev@example.com"},"charges":[{"amount":1.86,"currency":"USD","type":"total"}],"usage":{"tokens":{"input":45230,"output":12450,"cache_read":8790,"cache_creation":2340},"sessions":{"distinct":15},"code":{"lines_added":342,"lines_removed":128,"commits":8,"pull_requests":2,"accepts":45,"rejects":6},"tool_actions":{"edit_tool":{"accepted":25,"rejected":3},"multi_edit_tool":{"accepted":12,"rejected":1},"write_tool":{"accepted":8,"rejected":2},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z","remote_data":{"date":"2025-08-08T00:00:00Z","actor":{"type":"user_actor","email_address":"dev@example.com"},"organization_id":"12345678-1234-5678-1234-567812345678","customer_type":"api","terminal_type":"iTerm.app","core_metrics":{"num_sessions":15,"lines_of_code":{"added":342,"removed":128},"commits_by_claude_code":8,"pull_requests_by_claude_code":2},"tool_actions":{"edit_tool":{"accepted":25,"rejected":3},"multi_edit_tool":{"accepted":12,"rejected":1},"write_tool":{"accepted":8,"rejected":2},"notebook_edit_tool":{"accepted":0,"rejected":0}},"model_breakdown":[{"model":"claude-sonnet-4-20250514","tokens":{"input":45230,"output":12450,"cache_read":8790,"cache_creation":2340},"estimated_cost":{"currency":"USD","amount":186}},{"model":"claude-3-5-haiku-20241022","tokens":{"input":23100,"output":5680,"cache_read":3420,"cache_creation":890},"estimated_cost":{"currency":"USD","amount":42}}]}},{"id":"2025-08-08:dev@example.com:iTerm.app:claude-3-5-haiku-20241022","product":{"id":"claude_code","name":"Claude Code"},"surface":"claude_code","model":{"id":"claude-3-5-haiku-20241022","provider":"anthropic"},"organization":{"id":"12345678-1234-5678-1234-567812345678"},"user":{"email":"dev@example.com"},"charges":[{"amount":0.42,"currency":"USD","type":"total"}],"usage":{"tokens":{"input":23100,"output":5680,"cache_read":3420,"cache_creation":890}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z","remote_data":{"date":"2025-08-08T00:00:00Z","actor":{"type":"user_actor","email_address":"dev@example.com"},"organization_id":"12345678-1234-5678-1234-567812345678","customer_type":"api","terminal_type":"iTerm.app","core_metrics":{"num_sessions":15,"lines_of_code":{"added":342,"removed":128},"commits_by_claude_code":8,"pull_requests_by_claude_code":2},"tool_actions":{"edit_tool":{"accepted":25,"rejected":3},"multi_edit_tool":{"accepted":12,"rejected":1},"write_tool":{"accepted":8,"rejected":2},"notebook_edit_tool":{"accepted":0,"rejected":0}},"model_breakdown":[{"model":"claude-sonnet-4-20250514","tokens":{"input":45230,"output":12450,"cache_read":8790,"cache_creation":2340},"estimated_cost":{"currency":"USD","amount":186}},{"model":"claude-3-5-haiku-20241022","tokens":{"input":23100,"output":5680,"cache_read":3420,"cache_creation":890},"estimated_cost":{"currency":"USD","amount":42}}]}},{"id":"2025-08-08:ci-bot-key:vscode:claude-opus-4-1-20250805","product":{"id":"claude_code","name":"Claude Code"},"surface":"claude_code","model":{"id":"claude-opus-4-1-20250805","provider":"anthropic"},"organization":{"id":"12345678-1234-5678-1234-567812345678"},"user":{"name":"ci-bot-key"},"charges":[{"amount":14.575,"currency":"USD","type":"total"}],"usage":{"tokens":{"input":5000,"output":900,"cache_read":0,"cache_creation":0},"sessions":{"distinct":3},"code":{"lines_added":40,"lines_removed":5,"commits":1,"pull_requests":0,"accepts":5,"rejects":0},"tool_actions":{"edit_tool":{"accepted":4,"rejected":0},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":1,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z","remote_data":{"date":"2025-08-08T00:00:00Z","actor":{"type":"api_actor","api_key_name":"ci-bot-key"},"organization_id":"12345678-1234-5678-1234-567812345678","customer_type":"api","terminal_type":"vscode","core_metrics":{"num_sessions":3,"lines_of_code":{"added":40,"removed":5},"commits_by_claude_code":1,"pull_requests_by_claude_code":0},"tool_actions":{"edit_tool":{"accepted":4,"rejected":0},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":1,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}},"model_breakdown":[{"model":"claude-opus-4-1-20250805","tokens":{"input":5000,"output":900,"cache_read":0,"cache_creation":0},"estimated_cost":{"currency":"USD","amount":1457.5}}]}},{"id":"2025-08-08:wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ:apikey_01Rj2N8SVvo6BePZj99NhmiT:claude-sonnet-4-20250514","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-sonnet-4-20250514","provider":"anthropic"},"resources":[{"id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace":{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"}}],"usage":{"tokens":{"input":1500,"output":500,"cache_read":200,"cache_creation":1500}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z","remote_data":{"uncached_input_tokens":1500,"cache_creation":{"ephemeral_1h_input_tokens":1000,"ephemeral_5m_input_tokens":500},"cache_read_input_tokens":200,"output_tokens":500,"server_tool_use":{"web_search_requests":10},"api_key_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","model":"claude-sonnet-4-20250514","service_tier":null,"context_window":null,"inference_geo":null}},{"id":"2025-08-08:default:apikey_01Hq7Zt2WmXk4NcV8bLp3sRd:claude-opus-4-1-20250805","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-opus-4-1-20250805","provider":"anthropic"},"resources":[{"id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd"}],"usage":{"tokens":{"input":98000,"output":7100,"cache_read":64000,"cache_creation":12000}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z","remote_data":{"uncached_input_tokens":98000,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":12000},"cache_read_input_tokens":64000,"output_tokens":7100,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd","workspace_id":null,"model":"claude-opus-4-1-20250805","service_tier":null,"context_window":null,"inference_geo":null}}],"next_cursor":"' . ::cursor('usage', [['integrated_account_id', 'an-1'], ['date', '2025-08-08']], [0, 0, 'page_Y2M6MjAyNS0wOC0wODoy']) . '","result_count":5}'
--- no_error_log
[error]
[warn]



=== TEST 9: usage: the next page of the report that has more; the other is done
--- request eval
"GET /unified/usage-metering/usage?integrated_account_id=an-1&date=2025-08-08&next_cursor=" . ::cursor('usage', [['integrated_account_id', 'an-1'], ['date', '2025-08-08']], [0, 0, 'page_Y2M6MjAyNS0wOC0wODoy'])
--- response_body chomp
{"result":[{"id":"2025-08-08:jane@example.com:tmux","product":{"id":"claude_code","name":"Claude Code"},"surface":"claude_code","organization":{"id":"12345678-1234-5678-1234-567812345678"},"user":{"email":"jane@example.com"},"usage":{"sessions":{"distinct":1},"code":{"lines_added":0,"lines_removed":0,"commits":0,"pull_requests":0,"accepts":0,"rejects":1},"tool_actions":{"edit_tool":{"accepted":0,"rejected":1},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":0,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z","remote_data":{"date":"2025-08-08T00:00:00Z","actor":{"type":"user_actor","email_address":"jane@example.com"},"organization_id":"12345678-1234-5678-1234-567812345678","customer_type":"subscription","subscription_type":"enterprise","terminal_type":"tmux","core_metrics":{"num_sessions":1,"lines_of_code":{"added":0,"removed":0},"commits_by_claude_code":0,"pull_requests_by_claude_code":0},"tool_actions":{"edit_tool":{"accepted":0,"rejected":1},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":0,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}},"model_breakdown":[]}}],"next_cursor":null,"result_count":1}
--- error_log
usage_metering: call GET /_um/anthropic/v1/organizations/usage_report/claude_code?starting_at=2025-08-08&page=page_Y2M6MjAyNS0wOC0wODoy
--- no_error_log
usage_metering: call GET /_um/anthropic/v1/organizations/usage_report/messages



=== TEST 10: usage: stream reads every page of both reports
--- request
GET /unified/usage-metering/usage?integrated_account_id=an-1&start_date=2025-08-08T10:00:00Z&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"2025-08-08:dev@example.com:iTerm.app:claude-sonnet-4-20250514","product":{"id":"claude_code","name":"Claude Code"},"surface":"claude_code","model":{"id":"claude-sonnet-4-20250514","provider":"anthropic"},"organization":{"id":"12345678-1234-5678-1234-567812345678"},"user":{"email":"dev@example.com"},"charges":[{"amount":1.86,"currency":"USD","type":"total"}],"usage":{"tokens":{"input":45230,"output":12450,"cache_read":8790,"cache_creation":2340},"sessions":{"distinct":15},"code":{"lines_added":342,"lines_removed":128,"commits":8,"pull_requests":2,"accepts":45,"rejects":6},"tool_actions":{"edit_tool":{"accepted":25,"rejected":3},"multi_edit_tool":{"accepted":12,"rejected":1},"write_tool":{"accepted":8,"rejected":2},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z"},{"id":"2025-08-08:dev@example.com:iTerm.app:claude-3-5-haiku-20241022","product":{"id":"claude_code","name":"Claude Code"},"surface":"claude_code","model":{"id":"claude-3-5-haiku-20241022","provider":"anthropic"},"organization":{"id":"12345678-1234-5678-1234-567812345678"},"user":{"email":"dev@example.com"},"charges":[{"amount":0.42,"currency":"USD","type":"total"}],"usage":{"tokens":{"input":23100,"output":5680,"cache_read":3420,"cache_creation":890}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z"},{"id":"2025-08-08:ci-bot-key:vscode:claude-opus-4-1-20250805","product":{"id":"claude_code","name":"Claude Code"},"surface":"claude_code","model":{"id":"claude-opus-4-1-20250805","provider":"anthropic"},"organization":{"id":"12345678-1234-5678-1234-567812345678"},"user":{"name":"ci-bot-key"},"charges":[{"amount":14.575,"currency":"USD","type":"total"}],"usage":{"tokens":{"input":5000,"output":900,"cache_read":0,"cache_creation":0},"sessions":{"distinct":3},"code":{"lines_added":40,"lines_removed":5,"commits":1,"pull_requests":0,"accepts":5,"rejects":0},"tool_actions":{"edit_tool":{"accepted":4,"rejected":0},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":1,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z"},{"id":"2025-08-08:wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ:apikey_01Rj2N8SVvo6BePZj99NhmiT:claude-sonnet-4-20250514","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-sonnet-4-20250514","provider":"anthropic"},"resources":[{"id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace":{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"}}],"usage":{"tokens":{"input":1500,"output":500,"cache_read":200,"cache_creation":1500}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z"},{"id":"2025-08-08:default:apikey_01Hq7Zt2WmXk4NcV8bLp3sRd:claude-opus-4-1-20250805","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-opus-4-1-20250805","provider":"anthropic"},"resources":[{"id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd"}],"usage":{"tokens":{"input":98000,"output":7100,"cache_read":64000,"cache_creation":12000}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z"},{"id":"2025-08-08:jane@example.com:tmux","product":{"id":"claude_code","name":"Claude Code"},"surface":"claude_code","organization":{"id":"12345678-1234-5678-1234-567812345678"},"user":{"email":"jane@example.com"},"usage":{"sessions":{"distinct":1},"code":{"lines_added":0,"lines_removed":0,"commits":0,"pull_requests":0,"accepts":0,"rejects":1},"tool_actions":{"edit_tool":{"accepted":0,"rejected":1},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":0,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z"}],"next_cursor":null,"result_count":6}



=== TEST 11: usage: the provider requests: yesterday by default, RFC 3339 for Messages
--- request
GET /unified/usage-metering/usage?integrated_account_id=an-1&limit=2&truto_ignore_remote_data=true
--- response_body chomp
{"result":[],"next_cursor":null,"result_count":0}
--- error_log eval
[ qr/\Qusage_metering: call GET \/_um\/anthropic\/v1\/organizations\/usage_report\/claude_code?starting_at=$::Yesterday&limit=2\E$/m,
  qr/\Qusage_metering: call GET \/_um\/anthropic\/v1\/organizations\/usage_report\/messages?starting_at=$::Yesterday\ET00%3A00%3A00Z&ending_at=\Q$::Today\ET00%3A00%3A00Z&bucket_width=1d&group_by%5B%5D=workspace_id&group_by%5B%5D=api_key_id&group_by%5B%5D=model$/m ]



=== TEST 12: usage: surface asks one report; start_date is an alias of date (its day)
--- http_config eval: $::Accounts . $::Echo
--- more_headers
Authorization: Bearer client-secret
Cookie: session=abc
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=an-1&truto_response_format=raw&surface=claude_code&start_date=2025-08-08T23:59:00-07:00",
  "GET /unified/usage-metering/usage?integrated_account_id=an-1&truto_response_format=raw&surface=api&date=2025-02-28" ]
--- response_body eval
[ '{"request":"GET /v1/organizations/usage_report/claude_code?starting_at=2025-08-08","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}',
  '{"request":"GET /v1/organizations/usage_report/messages?starting_at=2025-02-28T00%3A00%3A00Z&ending_at=2025-03-01T00%3A00%3A00Z&bucket_width=1d&group_by%5B%5D=workspace_id&group_by%5B%5D=api_key_id&group_by%5B%5D=model","x-api-key":"sk-ant-admin01-test-0123456789","anthropic-version":"2023-06-01","authorization":"","cookie":""}' ]



=== TEST 13: usage: surface=api only, and an unknown surface is the client's error
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=an-1&date=2025-08-08&surface=api&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/usage?integrated_account_id=an-1&date=2025-08-08&surface=chat" ]
--- error_code eval
[200, 400]
--- response_body eval
[ '{"result":[{"id":"2025-08-08:wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ:apikey_01Rj2N8SVvo6BePZj99NhmiT:claude-sonnet-4-20250514","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-sonnet-4-20250514","provider":"anthropic"},"resources":[{"id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace":{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"}}],"usage":{"tokens":{"input":1500,"output":500,"cache_read":200,"cache_creation":1500}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z"},{"id":"2025-08-08:default:apikey_01Hq7Zt2WmXk4NcV8bLp3sRd:claude-opus-4-1-20250805","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-opus-4-1-20250805","provider":"anthropic"},"resources":[{"id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd"}],"usage":{"tokens":{"input":98000,"output":7100,"cache_read":64000,"cache_creation":12000}},"start_date":"2025-08-08T00:00:00.000Z","end_date":"2025-08-09T00:00:00.000Z"}],"next_cursor":null,"result_count":2}',
  '{"statusCode":400,"error":"Bad Request","message":"resources.usage.list.let.surface: surface is claude_code or api"}' ]



=== TEST 14: usage: a day without activity is an empty list
--- request
GET /unified/usage-metering/usage?integrated_account_id=an-1&date=2025-08-07
--- response_body chomp
{"result":[],"next_cursor":null,"result_count":0}



=== TEST 15: usage: the first page of a Messages report that has more; the Claude Code report of the day is empty
--- request
GET /unified/usage-metering/usage?integrated_account_id=an-1&date=2025-08-09
--- response_body eval
'{"result":[{"id":"2025-08-09:wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ:apikey_01Rj2N8SVvo6BePZj99NhmiT:claude-sonnet-4-20250514","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-sonnet-4-20250514","provider":"anthropic"},"resources":[{"id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace":{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"}}],"usage":{"tokens":{"input":2200,"output":640,"cache_read":900,"cache_creation":300}},"start_date":"2025-08-09T00:00:00.000Z","end_date":"2025-08-10T00:00:00.000Z","remote_data":{"uncached_input_tokens":2200,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":300},"cache_read_input_tokens":900,"output_tokens":640,"server_tool_use":{"web_search_requests":2},"api_key_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","model":"claude-sonnet-4-20250514","service_tier":null,"context_window":null,"inference_geo":null}}],"next_cursor":"' . ::cursor('usage', [['integrated_account_id', 'an-1'], ['date', '2025-08-09']], [1, 0, 'page_bXNnOjIwMjUtMDgtMDk6Mg']) . '","result_count":1}'
--- no_error_log
[error]



=== TEST 16: usage: the second page of the Messages report (next_page sent back as page); the Claude Code report, done, is not asked again
--- request eval
"GET /unified/usage-metering/usage?integrated_account_id=an-1&date=2025-08-09&next_cursor=" . ::cursor('usage', [['integrated_account_id', 'an-1'], ['date', '2025-08-09']], [1, 0, 'page_bXNnOjIwMjUtMDgtMDk6Mg'])
--- response_body eval
'{"result":[{"id":"2025-08-09:wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe:apikey_01Hq7Zt2WmXk4NcV8bLp3sRd:claude-opus-4-1-20250805","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-opus-4-1-20250805","provider":"anthropic"},"resources":[{"id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd","workspace":{"id":"wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe"}}],"usage":{"tokens":{"input":51000,"output":4100,"cache_read":0}},"start_date":"2025-08-09T00:00:00.000Z","end_date":"2025-08-10T00:00:00.000Z","remote_data":{"uncached_input_tokens":51000,"cache_read_input_tokens":0,"output_tokens":4100,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd","workspace_id":"wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe","model":"claude-opus-4-1-20250805","service_tier":null,"context_window":null,"inference_geo":null}}],"next_cursor":null,"result_count":1}'
--- error_log
usage_metering: call GET /_um/anthropic/v1/organizations/usage_report/messages?starting_at=2025-08-09T00%3A00%3A00Z&ending_at=2025-08-10T00%3A00%3A00Z&bucket_width=1d&group_by%5B%5D=workspace_id&group_by%5B%5D=api_key_id&group_by%5B%5D=model&page=page_bXNnOjIwMjUtMDgtMDk6Mg
--- no_error_log
usage_metering: call GET /_um/anthropic/v1/organizations/usage_report/claude_code
[error]



=== TEST 17: usage: stream reads both pages of the Messages report
--- request
GET /unified/usage-metering/usage?integrated_account_id=an-1&date=2025-08-09&surface=api&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body eval
'{"result":[{"id":"2025-08-09:wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ:apikey_01Rj2N8SVvo6BePZj99NhmiT:claude-sonnet-4-20250514","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-sonnet-4-20250514","provider":"anthropic"},"resources":[{"id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace":{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"}}],"usage":{"tokens":{"input":2200,"output":640,"cache_read":900,"cache_creation":300}},"start_date":"2025-08-09T00:00:00.000Z","end_date":"2025-08-10T00:00:00.000Z"},{"id":"2025-08-09:wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe:apikey_01Hq7Zt2WmXk4NcV8bLp3sRd:claude-opus-4-1-20250805","product":{"id":"api","name":"Claude API"},"surface":"api","model":{"id":"claude-opus-4-1-20250805","provider":"anthropic"},"resources":[{"id":"apikey_01Hq7Zt2WmXk4NcV8bLp3sRd","workspace":{"id":"wrkspc_01Kq3mN8vT2xYb7cR4dP9sLe"}}],"usage":{"tokens":{"input":51000,"output":4100,"cache_read":0}},"start_date":"2025-08-09T00:00:00.000Z","end_date":"2025-08-10T00:00:00.000Z"}],"next_cursor":null,"result_count":2}'



=== TEST 18: users and workspaces: none is an empty list
--- user_files
>>> anthropic/users.json
{"data":[],"has_more":false,"first_id":null,"last_id":null}
>>> anthropic/workspaces.json
{"data":[],"has_more":false,"first_id":null,"last_id":null}
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=an-1",
  "GET /unified/usage-metering/workspaces?integrated_account_id=an-1" ]
--- response_body eval
[ '{"result":[],"next_cursor":null,"result_count":0}',
  '{"result":[],"next_cursor":null,"result_count":0}' ]
--- error_code eval
[200, 200]



=== TEST 19: users: a record that carries a status string: mapped when it fits active, inactive, deleted or invited, else as given (Anthropic documents none today)
--- user_files
>>> anthropic/users.json
{"data":[
{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","type":"user","email":"jane@example.com","name":"Jane Doe","role":"developer","added_at":"2024-10-30T23:58:27.427722Z","status":"Pending"},
{"id":"user_01Xk9QpT3fR7bLm2nYc4dZaE","type":"user","email":"ravi@example.com","name":"Ravi Admin","role":"admin","added_at":"2024-11-02T09:15:00Z","status":"expired"}
],"has_more":false,"first_id":"user_01WCz1FkmYMm4gnmykNKUu3Q","last_id":"user_01Xk9QpT3fR7bLm2nYc4dZaE"}
--- request
GET /unified/usage-metering/users?integrated_account_id=an-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","name":"Jane Doe","emails":[{"email":"jane@example.com","is_primary":true}],"roles":[{"id":"developer","name":"developer"}],"status":"invited","created_at":"2024-10-30T23:58:27.427Z"},{"id":"user_01Xk9QpT3fR7bLm2nYc4dZaE","name":"Ravi Admin","emails":[{"email":"ravi@example.com","is_primary":true}],"roles":[{"id":"admin","name":"admin"}],"status":"expired","created_at":"2024-11-02T09:15:00.000Z"}],"next_cursor":null,"result_count":2}



=== TEST 20: the provider refuses the key: its status and its message
--- request
GET /unified/usage-metering/usage?integrated_account_id=an-bad&date=2025-08-08
--- error_code: 401
--- response_body chomp
{"statusCode":401,"error":"Unauthorized","message":"invalid x-api-key","truto_is_remote_error":true,"raw_response":{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}}
--- no_error_log eval
qr/\[(?!debug)[a-z]+\].*sk-ant-admin01-revoked/



=== TEST 21: rate limited: 429, its message, Retry-After and rate-limit state forwarded
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        location / {
            add_header Retry-After 30 always;
            return 429 '{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}';
        }
    }
}
--- request
GET /unified/usage-metering/users?integrated_account_id=an-1
--- error_code: 429
--- response_headers
Retry-After: 30
--- response_body chomp
{"statusCode":429,"error":"Too Many Requests","message":"Number of request tokens has exceeded your per-minute rate limit","truto_is_remote_error":true,"raw_response":{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}}



=== TEST 22: debug: the admin key is redacted, the request is shown
--- request
GET /unified/usage-metering/organizations?integrated_account_id=an-1&truto_response_format=debug
--- response_body_like: ^(?!.*sk-ant-admin01)\{"result":\{"result":\[\{"id":"12345678-1234-5678-1234-567812345678","name":"Acme Research","remote_data":.*"debug":\{"requestUrl":"http://127\.0\.0\.1:\d+/v1/organizations/me","requestOptions":\{"method":"GET","headers":\{[^}]*"x-api-key":"\[REDACTED\]"
