# OpenAI (provider=openai): every resource of its CONTRACT row against a mock
# of the Admin API on loopback: exact unified JSON, the exact provider
# request (path, bracket arrays, Bearer admin key from the account), the
# default day computed now, pagination through next_cursor, provider errors.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(encode_base64url);

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
our $Yesterday = (int(time / 86400) - 1) * 86400;

our $Accounts = <<'_EOC_';
    usage_metering_mappings       $TEST_NGINX_MAPPINGS;
    usage_metering_account        oa-1 provider=openai upstream=/_um/openai
                                  admin_key=sk-admin-test-0123456789;
    usage_metering_account        oa-bad provider=openai upstream=/_um/openai
                                  admin_key=sk-admin-revoked;
    usage_metering_cursor_secret  test-cursor-secret-0123456789abcdef;
    usage_metering_cursor_ttl     0;
_EOC_

# the Admin API: refuses any other key, pages by files named after the
# continuation it is sent
our $Mock = <<'_EOC_';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        root $TEST_NGINX_HTML_DIR/openai;

        if ($http_authorization != "Bearer sk-admin-test-0123456789") {
            return 401 '{"error":{"message":"Incorrect API key provided: sk-admin-***oked.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}';
        }

        # a continuation is in the query as it was sent (%3D for =)
        location = /v1/organization/usage/completions {
            try_files /usage-$arg_start_time-$arg_page.json
                      /usage-$arg_start_time.json /usage-empty.json;
        }

        location = /v1/organization/users {
            try_files /users-$arg_after.json /users.json;
        }

        location /v1/organization/users/ {
            try_files $uri.json @missing;
        }

        location = /v1/organization/projects {
            try_files /projects-$arg_after.json /projects.json;
        }

        location /v1/organization/projects/ {
            try_files $uri.json @missing;
        }

        location @missing {
            return 404 '{"error":{"message":"No such object: $uri","type":"invalid_request_error","param":null,"code":null}}';
        }
    }
_EOC_

# a provider that answers with what it was sent: read with truto_response_format=raw
our $Echo = <<'_EOC_';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;

        location / {
            return 200 '{"request":"$request_method $request_uri","authorization":"$http_authorization","cookie":"$http_cookie","accept":"$http_accept"}';
        }
    }
_EOC_

our $Location = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/openai/ {
        internal;
        proxy_pass                  http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/v1/;
        proxy_pass_request_headers  off;
        proxy_set_header            Authorization
                                    "Bearer $usage_metering_account_admin_key";
        proxy_set_header            Accept application/json;
    }
_EOC_

our $Files = <<'_EOC_';
>>> openai/usage-1736899200.json
{"object":"page","data":[{"object":"bucket","start_time":1736899200,"end_time":1736985600,"results":[
{"object":"organization.usage.completions.result","input_tokens":1000,"input_cached_tokens":400,"input_cache_write_tokens":100,"input_uncached_tokens":500,"output_tokens":500,"input_text_tokens":400,"output_text_tokens":400,"input_cached_text_tokens":300,"input_audio_tokens":50,"input_cached_audio_tokens":50,"output_audio_tokens":50,"input_image_tokens":50,"input_cached_image_tokens":50,"output_image_tokens":50,"num_model_requests":5,"project_id":null,"user_id":"user-abc","api_key_id":null,"model":"gpt-4o-2024-08-06","batch":null,"service_tier":null},
{"object":"organization.usage.completions.result","input_tokens":182340,"input_cached_tokens":0,"output_tokens":20112,"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":311,"project_id":null,"user_id":"user-abc","api_key_id":null,"model":"gpt-4o-mini-2024-07-18","batch":null}
]}],"has_more":true,"next_page":"page_AAAAAGeHAAAAAAAAAGeIUYA="}
>>> openai/usage-1736899200-page_AAAAAGeHAAAAAAAAAGeIUYA%3D.json
{"object":"page","data":[{"object":"bucket","start_time":1736899200,"end_time":1736985600,"results":[
{"object":"organization.usage.completions.result","input_tokens":96001,"input_cached_tokens":51200,"output_tokens":7380,"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":64,"project_id":null,"user_id":"user-def","api_key_id":null,"model":"o3-mini-2025-01-31","batch":null},
{"object":"organization.usage.completions.result","input_tokens":1200,"input_cached_tokens":0,"output_tokens":90,"num_model_requests":3,"project_id":null,"user_id":null,"api_key_id":null,"model":"gpt-4o-2024-08-06","batch":null}
]}],"has_more":false,"next_page":null}
>>> openai/usage-empty.json
{"object":"page","data":[{"object":"bucket","start_time":1736812800,"end_time":1736899200,"results":[]}],"has_more":false,"next_page":null}
>>> openai/users.json
{"object":"list","data":[
{"object":"organization.user","id":"user-abc","name":"First Last","email":"user@example.com","role":"owner","added_at":1711471533},
{"object":"organization.user","id":"user-def","name":"Ada Reader","email":"ada@example.com","role":"reader","added_at":1711558000}
],"first_id":"user-abc","last_id":"user-def","has_more":true}
>>> openai/users-user-def.json
{"object":"list","data":[
{"object":"organization.user","id":"user-ghi","name":"Grace Member","email":"grace@example.com","role":"member","added_at":1730419200,"is_service_account":false}
],"first_id":"user-ghi","last_id":"user-ghi","has_more":false}
>>> openai/v1/organization/users/user-def.json
{"object":"organization.user","id":"user-def","name":"Ada Reader","email":"ada@example.com","role":"reader","added_at":1711558000}
>>> openai/projects.json
{"object":"list","data":[
{"id":"proj_abc","object":"organization.project","name":"Project example","created_at":1711471533,"archived_at":null,"status":"active"},
{"id":"proj_old","object":"organization.project","name":"Old prototype","created_at":1690000000,"archived_at":1700000000,"status":"archived"}
],"first_id":"proj_abc","last_id":"proj_old","has_more":true}
>>> openai/projects-proj_old.json
{"object":"list","data":[
{"id":"proj_xyz","object":"organization.project","name":"Support bot","created_at":1735689600,"archived_at":null,"status":"active","external_key_id":null}
],"first_id":"proj_xyz","last_id":"proj_xyz","has_more":false}
>>> openai/v1/organization/projects/proj_abc.json
{"id":"proj_abc","object":"organization.project","name":"Project example","created_at":1711471533,"archived_at":null,"status":"active"}
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

=== TEST 1: usage: one row per bucket result (user and model), first page
--- request
GET /unified/usage-metering/usage?integrated_account_id=oa-1&date=2025-01-15
--- response_body eval
'{"result":[{"id":"2025-01-15:user-abc:gpt-4o-2024-08-06","product":{"id":"completions","name":"Completions"},"model":{"id":"gpt-4o-2024-08-06","provider":"openai"},"user":{"id":"user-abc"},"usage":{"tokens":{"input":1000,"output":500,"cache_read":400},"requests":{"total":5}},"start_date":"2025-01-15T00:00:00.000Z","end_date":"2025-01-16T00:00:00.000Z","remote_data":{"object":"organization.usage.completions.result","input_tokens":1000,"input_cached_tokens":400,"input_cache_write_tokens":100,"input_uncached_tokens":500,"output_tokens":500,"input_text_tokens":400,"output_text_tokens":400,"input_cached_text_tokens":300,"input_audio_tokens":50,"input_cached_audio_tokens":50,"output_audio_tokens":50,"input_image_tokens":50,"input_cached_image_tokens":50,"output_image_tokens":50,"num_model_requests":5,"project_id":null,"user_id":"user-abc","api_key_id":null,"model":"gpt-4o-2024-08-06","batch":null,"service_tier":null}},'
. '{"id":"2025-01-15:user-abc:gpt-4o-mini-2024-07-18","product":{"id":"completions","name":"Completions"},"model":{"id":"gpt-4o-mini-2024-07-18","provider":"openai"},"user":{"id":"user-abc"},"usage":{"tokens":{"input":182340,"output":20112,"cache_read":0},"requests":{"total":311}},"start_date":"2025-01-15T00:00:00.000Z","end_date":"2025-01-16T00:00:00.000Z","remote_data":{"object":"organization.usage.completions.result","input_tokens":182340,"input_cached_tokens":0,"output_tokens":20112,"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":311,"project_id":null,"user_id":"user-abc","api_key_id":null,"model":"gpt-4o-mini-2024-07-18","batch":null}}],'
. '"next_cursor":"' . ::cursor('usage', [['integrated_account_id', 'oa-1'], ['date', '2025-01-15']], [0, 0, 'page_AAAAAGeHAAAAAAAAAGeIUYA=']) . '","result_count":2}'
--- no_error_log
[error]
[warn]



=== TEST 2: usage: next_cursor is the provider's next_page, sent back as page
--- request eval
"GET /unified/usage-metering/usage?integrated_account_id=oa-1&date=2025-01-15&next_cursor="
. ::cursor('usage', [['integrated_account_id', 'oa-1'], ['date', '2025-01-15']], [0, 0, 'page_AAAAAGeHAAAAAAAAAGeIUYA='])
--- response_body chomp
{"result":[{"id":"2025-01-15:user-def:o3-mini-2025-01-31","product":{"id":"completions","name":"Completions"},"model":{"id":"o3-mini-2025-01-31","provider":"openai"},"user":{"id":"user-def"},"usage":{"tokens":{"input":96001,"output":7380,"cache_read":51200},"requests":{"total":64}},"start_date":"2025-01-15T00:00:00.000Z","end_date":"2025-01-16T00:00:00.000Z","remote_data":{"object":"organization.usage.completions.result","input_tokens":96001,"input_cached_tokens":51200,"output_tokens":7380,"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":64,"project_id":null,"user_id":"user-def","api_key_id":null,"model":"o3-mini-2025-01-31","batch":null}},{"id":"2025-01-15:-:gpt-4o-2024-08-06","product":{"id":"completions","name":"Completions"},"model":{"id":"gpt-4o-2024-08-06","provider":"openai"},"usage":{"tokens":{"input":1200,"output":90,"cache_read":0},"requests":{"total":3}},"start_date":"2025-01-15T00:00:00.000Z","end_date":"2025-01-16T00:00:00.000Z","remote_data":{"object":"organization.usage.completions.result","input_tokens":1200,"input_cached_tokens":0,"output_tokens":90,"num_model_requests":3,"project_id":null,"user_id":null,"api_key_id":null,"model":"gpt-4o-2024-08-06","batch":null}}],"next_cursor":null,"result_count":2}
--- error_log
usage_metering: call GET /_um/openai/organization/usage/completions?start_time=1736899200&end_time=1736985600&bucket_width=1d&group_by%5B%5D=user_id&group_by%5B%5D=model&page=page_AAAAAGeHAAAAAAAAAGeIUYA%3D



=== TEST 3: usage: stream reads both pages; limit trims the rows
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=oa-1&start_date=2025-01-15&truto_response_format=stream&truto_ignore_remote_data=true&truto_exclude_fields=product,start_date,end_date",
  "GET /unified/usage-metering/usage?integrated_account_id=oa-1&date=2025-01-15&limit=1&truto_ignore_remote_data=true&truto_exclude_fields=product,usage,start_date,end_date" ]
--- response_body eval
[ '{"result":[{"id":"2025-01-15:user-abc:gpt-4o-2024-08-06","model":{"id":"gpt-4o-2024-08-06","provider":"openai"},"user":{"id":"user-abc"},"usage":{"tokens":{"input":1000,"output":500,"cache_read":400},"requests":{"total":5}}},{"id":"2025-01-15:user-abc:gpt-4o-mini-2024-07-18","model":{"id":"gpt-4o-mini-2024-07-18","provider":"openai"},"user":{"id":"user-abc"},"usage":{"tokens":{"input":182340,"output":20112,"cache_read":0},"requests":{"total":311}}},{"id":"2025-01-15:user-def:o3-mini-2025-01-31","model":{"id":"o3-mini-2025-01-31","provider":"openai"},"user":{"id":"user-def"},"usage":{"tokens":{"input":96001,"output":7380,"cache_read":51200},"requests":{"total":64}}},{"id":"2025-01-15:-:gpt-4o-2024-08-06","model":{"id":"gpt-4o-2024-08-06","provider":"openai"},"usage":{"tokens":{"input":1200,"output":90,"cache_read":0},"requests":{"total":3}}}],"next_cursor":null,"result_count":4}',
  '{"result":[{"id":"2025-01-15:user-abc:gpt-4o-2024-08-06","model":{"id":"gpt-4o-2024-08-06","provider":"openai"},"user":{"id":"user-abc"}}],"next_cursor":"' . ::cursor('usage', [['integrated_account_id', 'oa-1'], ['date', '2025-01-15'], ['limit', '1']], [0, 1, '']) . '","result_count":1}' ]



=== TEST 4: usage: an empty day is an empty list
--- request
GET /unified/usage-metering/usage?integrated_account_id=oa-1&date=2025-01-14
--- response_body chomp
{"result":[],"next_cursor":null,"result_count":0}



=== TEST 5: usage: the provider request: yesterday by default, admin key, no client headers
--- http_config eval: $::Accounts . $::Echo
--- more_headers
Authorization: Bearer client-secret
Cookie: session=abc
--- request
GET /unified/usage-metering/usage?integrated_account_id=oa-1&truto_response_format=raw
--- response_body eval
'{"request":"GET /v1/organization/usage/completions?start_time=' . $::Yesterday . '&end_time=' . ($::Yesterday + 86400) . '&bucket_width=1d&group_by%5B%5D=user_id&group_by%5B%5D=model","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}'



=== TEST 6: usage: start_date is an alias of date (its day part), user_id filters
--- http_config eval: $::Accounts . $::Echo
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=oa-1&truto_response_format=raw&start_date=2025-01-15T23:30:00-05:00&user_id=user-abc",
  "GET /unified/usage-metering/usage?integrated_account_id=oa-1&truto_response_format=raw&date=2025-01-14&start_date=2025-01-15" ]
--- response_body eval
[ '{"request":"GET /v1/organization/usage/completions?start_time=1736899200&end_time=1736985600&bucket_width=1d&group_by%5B%5D=user_id&group_by%5B%5D=model&user_ids%5B%5D=user-abc","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}',
  '{"request":"GET /v1/organization/usage/completions?start_time=1736812800&end_time=1736899200&bucket_width=1d&group_by%5B%5D=user_id&group_by%5B%5D=model","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}' ]



=== TEST 7: usage: a date that is not one is the client's error
--- request
GET /unified/usage-metering/usage?integrated_account_id=oa-1&date=2025-02-30
--- error_code: 400
--- response_body_like: ^\{"statusCode":400,"error":"Bad Request","message":".*date.*"\}$
--- no_error_log
usage_metering: call



=== TEST 8: users: members, emails and roles; after=last_id to the next page
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=oa-1",
  "GET /unified/usage-metering/users?integrated_account_id=oa-1&next_cursor=" . ::cursor('users', [['integrated_account_id', 'oa-1']], [0, 0, 'user-def']) ]
--- response_body eval
[ '{"result":[{"id":"user-abc","name":"First Last","emails":[{"email":"user@example.com","is_primary":true}],"roles":[{"id":"owner","name":"owner"}],"status":"active","created_at":"2024-03-26T16:45:33.000Z","remote_data":{"object":"organization.user","id":"user-abc","name":"First Last","email":"user@example.com","role":"owner","added_at":1711471533}},{"id":"user-def","name":"Ada Reader","emails":[{"email":"ada@example.com","is_primary":true}],"roles":[{"id":"reader","name":"reader"}],"status":"active","created_at":"2024-03-27T16:46:40.000Z","remote_data":{"object":"organization.user","id":"user-def","name":"Ada Reader","email":"ada@example.com","role":"reader","added_at":1711558000}}],"next_cursor":"' . ::cursor('users', [['integrated_account_id', 'oa-1']], [0, 0, 'user-def']) . '","result_count":2}',
  '{"result":[{"id":"user-ghi","name":"Grace Member","emails":[{"email":"grace@example.com","is_primary":true}],"roles":[{"id":"member","name":"member"}],"status":"active","created_at":"2024-11-01T00:00:00.000Z","remote_data":{"object":"organization.user","id":"user-ghi","name":"Grace Member","email":"grace@example.com","role":"member","added_at":1730419200,"is_service_account":false}}],"next_cursor":null,"result_count":1}' ]



=== TEST 9: users: the provider request: page size 100 unless limit, email filter, after
--- http_config eval: $::Accounts . $::Echo
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=oa-1&truto_response_format=raw",
  "GET /unified/usage-metering/users?integrated_account_id=oa-1&truto_response_format=raw&limit=500&email=ada%40example.com",
  "GET /unified/usage-metering/users?integrated_account_id=oa-1&truto_response_format=raw&limit=7&next_cursor=" . ::cursor('users', [['integrated_account_id', 'oa-1'], ['limit', '7']], [0, 0, 'user-def']) ]
--- response_body eval
[ '{"request":"GET /v1/organization/users?limit=100","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}',
  '{"request":"GET /v1/organization/users?limit=100&emails%5B%5D=ada%40example.com","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}',
  '{"request":"GET /v1/organization/users?limit=7&after=user-def","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}' ]



=== TEST 10: users: get by id, and the provider's 404 with its message
--- request eval
[ "GET /unified/usage-metering/users/user-def?integrated_account_id=oa-1",
  "GET /unified/usage-metering/users/user-nobody?integrated_account_id=oa-1" ]
--- error_code eval
[200, 404]
--- response_body eval
[ '{"id":"user-def","name":"Ada Reader","emails":[{"email":"ada@example.com","is_primary":true}],"roles":[{"id":"reader","name":"reader"}],"status":"active","created_at":"2024-03-27T16:46:40.000Z","remote_data":{"object":"organization.user","id":"user-def","name":"Ada Reader","email":"ada@example.com","role":"reader","added_at":1711558000}}',
  '{"statusCode":404,"error":"Not Found","message":"No such object: /v1/organization/users/user-nobody","truto_is_remote_error":true,"raw_response":{"error":{"message":"No such object: /v1/organization/users/user-nobody","type":"invalid_request_error","param":null,"code":null}}}' ]



=== TEST 11: workspaces: the organization's projects, list (first page) and get
--- request eval
[ "GET /unified/usage-metering/workspaces?integrated_account_id=oa-1",
  "GET /unified/usage-metering/workspaces/proj_abc?integrated_account_id=oa-1" ]
--- response_body eval
[ '{"result":[{"id":"proj_abc","name":"Project example","created_at":"2024-03-26T16:45:33.000Z","remote_data":{"id":"proj_abc","object":"organization.project","name":"Project example","created_at":1711471533,"archived_at":null,"status":"active"}},{"id":"proj_old","name":"Old prototype","created_at":"2023-07-22T04:26:40.000Z","remote_data":{"id":"proj_old","object":"organization.project","name":"Old prototype","created_at":1690000000,"archived_at":1700000000,"status":"archived"}}],"next_cursor":"' . ::cursor('workspaces', [['integrated_account_id', 'oa-1']], [0, 0, 'proj_old']) . '","result_count":2}',
  '{"id":"proj_abc","name":"Project example","created_at":"2024-03-26T16:45:33.000Z","remote_data":{"id":"proj_abc","object":"organization.project","name":"Project example","created_at":1711471533,"archived_at":null,"status":"active"}}' ]



=== TEST 12: workspaces: the second page through after=last_id; stream reads both
--- request eval
[ "GET /unified/usage-metering/workspaces?integrated_account_id=oa-1&next_cursor=" . ::cursor('workspaces', [['integrated_account_id', 'oa-1']], [0, 0, 'proj_old']),
  "GET /unified/usage-metering/workspaces?integrated_account_id=oa-1&truto_response_format=stream&truto_ignore_remote_data=true" ]
--- response_body eval
[ '{"result":[{"id":"proj_xyz","name":"Support bot","created_at":"2025-01-01T00:00:00.000Z","remote_data":{"id":"proj_xyz","object":"organization.project","name":"Support bot","created_at":1735689600,"archived_at":null,"status":"active","external_key_id":null}}],"next_cursor":null,"result_count":1}',
  '{"result":[{"id":"proj_abc","name":"Project example","created_at":"2024-03-26T16:45:33.000Z"},{"id":"proj_old","name":"Old prototype","created_at":"2023-07-22T04:26:40.000Z"},{"id":"proj_xyz","name":"Support bot","created_at":"2025-01-01T00:00:00.000Z"}],"next_cursor":null,"result_count":3}' ]
--- error_log
usage_metering: call GET /_um/openai/organization/projects?after=proj_old
--- no_error_log
[error]



=== TEST 13: users and workspaces: none is an empty list
--- user_files
>>> openai/users.json
{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}
>>> openai/projects.json
{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=oa-1",
  "GET /unified/usage-metering/workspaces?integrated_account_id=oa-1" ]
--- response_body eval
[ '{"result":[],"next_cursor":null,"result_count":0}',
  '{"result":[],"next_cursor":null,"result_count":0}' ]
--- error_code eval
[200, 200]



=== TEST 14: users: a record that carries a status string: mapped when it fits active, inactive, deleted or invited, else as given (OpenAI documents none today)
--- user_files
>>> openai/users.json
{"object":"list","data":[
{"object":"organization.user","id":"user-abc","name":"First Last","email":"user@example.com","role":"owner","added_at":1711471533,"status":"disabled"},
{"object":"organization.user","id":"user-def","name":"Ada Reader","email":"ada@example.com","role":"reader","added_at":1711558000,"status":"scim_deprovisioning"}
],"first_id":"user-abc","last_id":"user-def","has_more":false}
--- request
GET /unified/usage-metering/users?integrated_account_id=oa-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"user-abc","name":"First Last","emails":[{"email":"user@example.com","is_primary":true}],"roles":[{"id":"owner","name":"owner"}],"status":"inactive","created_at":"2024-03-26T16:45:33.000Z"},{"id":"user-def","name":"Ada Reader","emails":[{"email":"ada@example.com","is_primary":true}],"roles":[{"id":"reader","name":"reader"}],"status":"scim_deprovisioning","created_at":"2024-03-27T16:46:40.000Z"}],"next_cursor":null,"result_count":2}



=== TEST 15: workspaces: the provider requests
--- http_config eval: $::Accounts . $::Echo
--- request eval
[ "GET /unified/usage-metering/workspaces?integrated_account_id=oa-1&truto_response_format=raw&limit=20&include_archived=true",
  "GET /unified/usage-metering/workspaces?integrated_account_id=oa-1&truto_response_format=raw&next_cursor=" . ::cursor('workspaces', [['integrated_account_id', 'oa-1']], [0, 0, 'proj_abc']),
  "GET /unified/usage-metering/workspaces/proj_abc?integrated_account_id=oa-1&truto_response_format=raw" ]
--- response_body eval
[ '{"request":"GET /v1/organization/projects?limit=20&include_archived=true","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}',
  '{"request":"GET /v1/organization/projects?after=proj_abc","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}',
  '{"request":"GET /v1/organization/projects/proj_abc","authorization":"Bearer sk-admin-test-0123456789","cookie":"","accept":"application/json"}' ]



=== TEST 16: products: static, no provider call
--- request
GET /unified/usage-metering/products?integrated_account_id=oa-1&truto_exclude_fields=description
--- response_body chomp
{"result":[{"id":"completions","name":"Completions"},{"id":"embeddings","name":"Embeddings"},{"id":"moderations","name":"Moderations"},{"id":"images","name":"Images"},{"id":"audio_speeches","name":"Audio speeches"},{"id":"audio_transcriptions","name":"Audio transcriptions"},{"id":"vector_stores","name":"Vector stores"},{"id":"code_interpreter_sessions","name":"Code interpreter sessions"}],"next_cursor":null,"result_count":8}
--- no_error_log
usage_metering: call



=== TEST 17: organizations: not an OpenAI resource
--- request eval
[ "GET /unified/usage-metering/organizations?integrated_account_id=oa-1",
  "GET /unified/usage-metering/organizations/org-1?integrated_account_id=oa-1",
  "GET /unified/usage-metering/usage/u1?integrated_account_id=oa-1" ]
--- error_code eval
[404, 404, 404]
--- response_body eval
[ '{"statusCode":404,"error":"Not Found","message":"resource \"organizations\" is not supported by provider \"openai\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"organizations\" (get by id) is not supported by provider \"openai\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"usage\" (get by id) is not supported by provider \"openai\""}' ]



=== TEST 18: the provider refuses the key: its status and its message
--- request
GET /unified/usage-metering/usage?integrated_account_id=oa-bad&date=2025-01-15
--- error_code: 401
--- response_body chomp
{"statusCode":401,"error":"Unauthorized","message":"Incorrect API key provided: sk-admin-***oked.","truto_is_remote_error":true,"raw_response":{"error":{"message":"Incorrect API key provided: sk-admin-***oked.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}}
--- no_error_log eval
qr/\[(?!debug)[a-z]+\].*sk-admin-revoked/



=== TEST 19: rate limited: 429, its message, Retry-After forwarded
--- http_config eval
$::Accounts . q{
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        location / {
            add_header Retry-After 20 always;
            return 429 '{"error":{"message":"Rate limit reached for organization usage requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}';
        }
    }
}
--- request
GET /unified/usage-metering/users?integrated_account_id=oa-1
--- error_code: 429
--- response_headers
Retry-After: 20
--- response_body chomp
{"statusCode":429,"error":"Too Many Requests","message":"Rate limit reached for organization usage requests","truto_is_remote_error":true,"raw_response":{"error":{"message":"Rate limit reached for organization usage requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}}
