# Claude Enterprise Analytics (provider=claude): the static surfaces, usage
# as one row per user and surface with activity on one day, users, against a
# mock of GET /v1/organizations/analytics/users on loopback that checks the
# request it gets (query, x-api-key, anthropic-version, no client headers).

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(encode_base64url);
use Time::Local qw(timegm);

our $Secret = 'test-cursor-secret-0123456789abcdef';
our $Key = 'sk-ant-api01-test-analytics-key';

# next_cursor as the module makes it (src/um_cursor.c, see t/060): with
# usage_metering_cursor_ttl 0 it carries no time, so it can be computed
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

# the default date: three days ago, UTC
sub ymd {
    my @t = gmtime shift;
    return sprintf "%04d-%02d-%02d", $t[5] + 1900, $t[4] + 1, $t[3];
}

our $Day3 = ymd(time - 3 * 86400);

# one unified usage row, as the mapping makes it
our %Surface = (chat => 'Claude', claude_code => 'Claude Code',
                cowork => 'Claude Cowork', office_agent => 'Claude for Office');

sub row {
    my ($rec, $day, $surface, $usage, $remote) = @_;
    my ($id) = $rec =~ /"id":"(user_\w+)"/;
    my ($email) = $rec =~ /"email_address":"([^"]+)"/;
    my ($y, $m, $d) = split /-/, $day;
    my $next = ymd(timegm(0, 0, 0, $d, $m - 1, $y) + 86400);
    return qq({"id":"$id:$day:$surface","product":{"id":"$surface",)
           . qq("name":"$Surface{$surface}"},"surface":"$surface",)
           . qq("user":{"id":"$id","email":"$email"},"usage":$usage,)
           . qq("start_date":"${day}T00:00:00.000Z",)
           . qq("end_date":"${next}T00:00:00.000Z")
           . ($remote ? qq(,"remote_data":$rec) : '') . '}';
}

sub list {
    my ($next, @rows) = @_;
    return '{"result":[' . CORE::join(',', @rows) . '],"next_cursor":'
           . (defined $next ? qq("$next") : 'null') . ',"result_count":'
           . scalar(@rows) . '}';
}

# the per-user activity of one day (the shapes of the SDK's types): Jane
# on every surface, Omar in Claude Code only, Li in chat only, Sam on no
# surface, Priya in chat and Office (Word and Outlook)
our $Jane = q{{"user":{"type":"user","id":"user_01WCz1FkmYMm4gnmykNKUu3Q","email_address":"jane@acme.com"},"chat_metrics":{"distinct_conversation_count":7,"message_count":42,"thinking_message_count":5,"distinct_projects_created_count":1,"distinct_projects_used_count":2,"distinct_files_uploaded_count":3,"distinct_artifacts_created_count":2,"distinct_skills_used_count":1,"connectors_used_count":4,"distinct_connectors_used_count":2,"shared_conversations_viewed_count":0,"distinct_shared_artifacts_viewed_count":0},"claude_code_metrics":{"core_metrics":{"distinct_session_count":6,"commit_count":4,"pull_request_count":1,"artifacts_created_count":0,"lines_of_code":{"added":520,"removed":130}},"tool_actions":{"edit_tool":{"accepted":30,"rejected":4},"multi_edit_tool":{"accepted":8,"rejected":1},"write_tool":{"accepted":5,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"cowork_metrics":{"distinct_session_count":2,"message_count":9,"action_count":14,"dispatch_turn_count":3,"skills_used_count":1,"distinct_skills_used_count":1,"connectors_used_count":2,"distinct_connectors_used_count":1,"artifacts_created_count":0},"office_metrics":{"excel":{"distinct_session_count":1,"message_count":4,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"word":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"powerpoint":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"outlook":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0}},"web_search_count":6,"last_activity_date":"2026-03-04"}};
our $Omar = q{{"user":{"type":"user","id":"user_01Hq7bVtN3kS9xRwLp2mYdEa","email_address":"omar.haddad@acme.com"},"chat_metrics":{"distinct_conversation_count":0,"message_count":0,"thinking_message_count":0,"distinct_projects_created_count":0,"distinct_projects_used_count":0,"distinct_files_uploaded_count":0,"distinct_artifacts_created_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0,"shared_conversations_viewed_count":0,"distinct_shared_artifacts_viewed_count":0},"claude_code_metrics":{"core_metrics":{"distinct_session_count":11,"commit_count":9,"pull_request_count":3,"artifacts_created_count":1,"lines_of_code":{"added":2210,"removed":845}},"tool_actions":{"edit_tool":{"accepted":96,"rejected":12},"multi_edit_tool":{"accepted":21,"rejected":3},"write_tool":{"accepted":14,"rejected":2},"notebook_edit_tool":{"accepted":2,"rejected":1}}},"cowork_metrics":{"distinct_session_count":0,"message_count":0,"action_count":0,"dispatch_turn_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0,"artifacts_created_count":0},"office_metrics":{"excel":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"word":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"powerpoint":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"outlook":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0}},"web_search_count":0,"last_activity_date":"2026-03-04"}};
our $Li = q{{"user":{"type":"user","id":"user_01Kd4nXe8GqTz5VbWc3rJfHs","email_address":"li.wei@acme.com"},"chat_metrics":{"distinct_conversation_count":12,"message_count":87,"thinking_message_count":19,"distinct_projects_created_count":0,"distinct_projects_used_count":3,"distinct_files_uploaded_count":6,"distinct_artifacts_created_count":4,"distinct_skills_used_count":2,"connectors_used_count":0,"distinct_connectors_used_count":0,"shared_conversations_viewed_count":2,"distinct_shared_artifacts_viewed_count":1},"claude_code_metrics":{"core_metrics":{"distinct_session_count":0,"commit_count":0,"pull_request_count":0,"artifacts_created_count":0,"lines_of_code":{"added":0,"removed":0}},"tool_actions":{"edit_tool":{"accepted":0,"rejected":0},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":0,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"cowork_metrics":{"distinct_session_count":0,"message_count":0,"action_count":0,"dispatch_turn_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0,"artifacts_created_count":0},"office_metrics":{"excel":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"word":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"powerpoint":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"outlook":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0}},"web_search_count":14,"last_activity_date":"2026-03-04"}};
our $Sam = q{{"user":{"type":"user","id":"user_01Rm2pQy6ZcVa8LsTd4nHgBk","email_address":"sam.okafor@acme.com"},"chat_metrics":{"distinct_conversation_count":0,"message_count":0,"thinking_message_count":0,"distinct_projects_created_count":0,"distinct_projects_used_count":0,"distinct_files_uploaded_count":0,"distinct_artifacts_created_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0,"shared_conversations_viewed_count":0,"distinct_shared_artifacts_viewed_count":0},"claude_code_metrics":{"core_metrics":{"distinct_session_count":0,"commit_count":0,"pull_request_count":0,"artifacts_created_count":0,"lines_of_code":{"added":0,"removed":0}},"tool_actions":{"edit_tool":{"accepted":0,"rejected":0},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":0,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"cowork_metrics":{"distinct_session_count":0,"message_count":0,"action_count":0,"dispatch_turn_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0,"artifacts_created_count":0},"office_metrics":{"excel":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"word":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"powerpoint":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"outlook":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0}},"web_search_count":0,"last_activity_date":"2026-02-19"}};
our $Priya = q{{"user":{"type":"user","id":"user_01Tz9wEr3MbXn7KyUf5qJcPd","email_address":"priya.nair@acme.com"},"chat_metrics":{"distinct_conversation_count":3,"message_count":15,"thinking_message_count":0,"distinct_projects_created_count":0,"distinct_projects_used_count":1,"distinct_files_uploaded_count":1,"distinct_artifacts_created_count":0,"distinct_skills_used_count":0,"connectors_used_count":1,"distinct_connectors_used_count":1,"shared_conversations_viewed_count":0,"distinct_shared_artifacts_viewed_count":0},"claude_code_metrics":{"core_metrics":{"distinct_session_count":0,"commit_count":0,"pull_request_count":0,"artifacts_created_count":0,"lines_of_code":{"added":0,"removed":0}},"tool_actions":{"edit_tool":{"accepted":0,"rejected":0},"multi_edit_tool":{"accepted":0,"rejected":0},"write_tool":{"accepted":0,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}},"cowork_metrics":{"distinct_session_count":0,"message_count":0,"action_count":0,"dispatch_turn_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0,"artifacts_created_count":0},"office_metrics":{"excel":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"word":{"distinct_session_count":2,"message_count":7,"skills_used_count":1,"distinct_skills_used_count":1,"connectors_used_count":0,"distinct_connectors_used_count":0},"powerpoint":{"distinct_session_count":0,"message_count":0,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":0,"distinct_connectors_used_count":0},"outlook":{"distinct_session_count":1,"message_count":3,"skills_used_count":0,"distinct_skills_used_count":0,"connectors_used_count":1,"distinct_connectors_used_count":1}},"web_search_count":2,"last_activity_date":"2026-03-04"}};

our $Page1 = '{"data":[' . CORE::join(",\n", $Jane, $Omar, $Li, $Sam)
             . '],"next_page":"cGFnZToy"}';
our $Page2 = '{"data":[' . $Priya . '],"next_page":null}';
our $Files = ">>> users.json\n$Page1\n>>> users-cGFnZToy.json\n$Page2\n";

# the unified usage of each record and surface, read off the records above
our %U = (
    jane_chat => '{"requests":{"total":42},"sessions":{"distinct":7}}',
    jane_code => '{"sessions":{"distinct":6},"code":{"lines_added":520,"lines_removed":130,"commits":4,"pull_requests":1,"accepts":43,"rejects":5},"tool_actions":{"edit_tool":{"accepted":30,"rejected":4},"multi_edit_tool":{"accepted":8,"rejected":1},"write_tool":{"accepted":5,"rejected":0},"notebook_edit_tool":{"accepted":0,"rejected":0}}}',
    jane_cowork => '{"requests":{"total":9},"sessions":{"distinct":2,"dispatch_turns":3}}',
    jane_office => '{"requests":{"total":4},"sessions":{"distinct":1}}',
    omar_code => '{"sessions":{"distinct":11},"code":{"lines_added":2210,"lines_removed":845,"commits":9,"pull_requests":3,"accepts":133,"rejects":18},"tool_actions":{"edit_tool":{"accepted":96,"rejected":12},"multi_edit_tool":{"accepted":21,"rejected":3},"write_tool":{"accepted":14,"rejected":2},"notebook_edit_tool":{"accepted":2,"rejected":1}}}',
    li_chat => '{"requests":{"total":87},"sessions":{"distinct":12}}',
    priya_chat => '{"requests":{"total":15},"sessions":{"distinct":3}}',
    priya_office => '{"requests":{"total":10},"sessions":{"distinct":3}}',
);

sub page1_rows {
    my ($day) = @_;
    return (row($Jane, $day, 'chat', $U{jane_chat}),
            row($Jane, $day, 'claude_code', $U{jane_code}),
            row($Jane, $day, 'cowork', $U{jane_cowork}),
            row($Jane, $day, 'office_agent', $U{jane_office}),
            row($Omar, $day, 'claude_code', $U{omar_code}),
            row($Li, $day, 'chat', $U{li_chat}));
}

# the mock provider: answers only the query strings it is given, with the
# analytics key and version headers, and without the client's headers
our $MockTemplate = <<'_EOC_';
    usage_metering_mappings       $TEST_NGINX_MAPPINGS;
    usage_metering_account        claude-1 provider=claude upstream=/_um/claude
                                  api_key=__KEY__;
    usage_metering_cursor_secret  __SECRET__;
    usage_metering_cursor_ttl     0;

    map $args $args_ok {
        default 0;
__ARGS__    }

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        root $TEST_NGINX_HTML_DIR;

        location = /v1/organizations/analytics/users {
            if ($http_x_api_key != "sk-ant-api01-test-analytics-key") {
                return 401 '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}';
            }
            if ($http_anthropic_version != "2023-06-01") {
                return 400 '{"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version header missing"}}';
            }
            if ($http_cookie) {
                return 400 '{"type":"error","error":{"type":"invalid_request_error","message":"a client cookie reached the provider"}}';
            }
            if ($http_authorization) {
                return 400 '{"type":"error","error":{"type":"invalid_request_error","message":"a client authorization reached the provider"}}';
            }
            if ($args_ok = 0) {
                return 400 '{"type":"error","error":{"type":"invalid_request_error","message":"unexpected query: $args"}}';
            }
            try_files /users-$arg_page.json /users.json;
        }
__EXTRA__
    }
_EOC_

sub mock {
    my ($extra, @args) = @_;
    my $t = $MockTemplate;
    my $map = CORE::join '', map { qq{        "$_" 1;\n} } @args;
    $t =~ s/__KEY__/$Key/;
    $t =~ s/__SECRET__/$Secret/;
    $t =~ s/__ARGS__/$map/;
    $t =~ s/__EXTRA__/$extra/;
    return $t;
}

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/claude/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_set_header x-api-key $usage_metering_account_api_key;
        proxy_set_header anthropic-version 2023-06-01;
        proxy_set_header Accept application/json;
    }
_EOC_

our $A = ['integrated_account_id', 'claude-1'];

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("user_files", $::Files) unless defined $block->user_files;
    $block->set_value("http_config",
                      mock('', 'date=2026-03-04',
                           'date=2026-03-04&page=cGFnZToy'))
        unless defined $block->http_config;
    $block->set_value("config", $::Config) unless defined $block->config;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: products: the static surfaces, no provider call
--- request
GET /unified/usage-metering/products?integrated_account_id=claude-1
--- response_body chomp
{"result":[{"id":"chat","name":"Claude","description":"Claude chat on claude.ai and the desktop and mobile apps: conversations, projects, artifacts, files, skills and connectors."},{"id":"claude_code","name":"Claude Code","description":"Claude Code, the agentic coding tool: sessions, lines of code, commits, pull requests and edit tool decisions."},{"id":"cowork","name":"Claude Cowork","description":"Cowork, Claude working on tasks in the background: sessions, messages, actions and dispatch turns."},{"id":"office_agent","name":"Claude for Office","description":"Claude in Excel, Word, PowerPoint and Outlook."}],"next_cursor":null,"result_count":4}
--- no_error_log
usage_metering: call



=== TEST 2: usage of one day: a row per user and surface with activity; none for Sam
--- request
GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04&truto_ignore_remote_data=true
--- more_headers
Authorization: Bearer client-secret
Cookie: session=abc
--- response_body eval
::list(::cursor('usage', [$::A, ['date', '2026-03-04']], [0, 0, 'cGFnZToy']),
       ::page1_rows('2026-03-04'))
--- error_log eval
qr{usage_metering: call GET /_um/claude/v1/organizations/analytics/users\?date=2026-03-04$}
--- no_error_log
[error]



=== TEST 3: the next page through next_cursor (page=<next_page>); remote_data is the user's record
--- request eval
"GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04&next_cursor="
. ::cursor('usage', [$::A, ['date', '2026-03-04']], [0, 0, 'cGFnZToy'])
--- response_body eval
::list(undef, ::row($::Priya, '2026-03-04', 'chat', $::U{priya_chat}, 1),
       ::row($::Priya, '2026-03-04', 'office_agent', $::U{priya_office}, 1))
--- error_log eval
qr{usage_metering: call GET /_um/claude/v1/organizations/analytics/users\?date=2026-03-04&page=cGFnZToy$}
--- no_error_log
[error]



=== TEST 4: date defaults to three days ago (UTC)
--- http_config eval
::mock('', "date=$::Day3")
--- user_files eval
">>> users.json\n{\"data\":[$::Li],\"next_page\":null}\n"
--- request
GET /unified/usage-metering/usage?integrated_account_id=claude-1&truto_ignore_remote_data=true
--- response_body eval
::list(undef, ::row($::Li, $::Day3, 'chat', $::U{li_chat}))
--- no_error_log
[error]



=== TEST 5: only the day of a date-time is used; start_date is an alias of date
--- user_files eval
">>> users.json\n{\"data\":[$::Li],\"next_page\":null}\n"
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04T23:30:00-05:00&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/usage?integrated_account_id=claude-1&start_date=2026-03-04T08:00:00Z&truto_ignore_remote_data=true" ]
--- response_body eval
[ ::list(undef, ::row($::Li, '2026-03-04', 'chat', $::U{li_chat})),
  ::list(undef, ::row($::Li, '2026-03-04', 'chat', $::U{li_chat})) ]
--- error_code eval
[200, 200]



=== TEST 6: limit is the provider's page size and trims the rows; the cursor resumes after the last row given
--- http_config eval
::mock('', 'date=2026-03-04&limit=2', 'date=2026-03-04&limit=2&page=cGFnZToy')
--- request eval
my @p = ($::A, ['date', '2026-03-04'], ['limit', '2']);
[ "GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04&limit=2&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04&limit=2&truto_ignore_remote_data=true&next_cursor=" . ::cursor('usage', \@p, [0, 2, '']),
  "GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04&limit=2&truto_ignore_remote_data=true&next_cursor=" . ::cursor('usage', \@p, [0, 4, '']),
  "GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04&limit=2&truto_ignore_remote_data=true&next_cursor=" . ::cursor('usage', \@p, [0, 0, 'cGFnZToy']) ]
--- response_body eval
my @p = ($::A, ['date', '2026-03-04'], ['limit', '2']);
my @r = ::page1_rows('2026-03-04');
[ ::list(::cursor('usage', \@p, [0, 2, '']), @r[0, 1]),
  ::list(::cursor('usage', \@p, [0, 4, '']), @r[2, 3]),
  ::list(::cursor('usage', \@p, [0, 0, 'cGFnZToy']), @r[4, 5]),
  ::list(undef, ::row($::Priya, '2026-03-04', 'chat', $::U{priya_chat}),
         ::row($::Priya, '2026-03-04', 'office_agent', $::U{priya_office})) ]
--- error_code eval
[200, 200, 200, 200]



=== TEST 7: stream: both provider pages in one answer
--- request
GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04&truto_response_format=stream&truto_ignore_remote_data=true
--- response_body eval
::list(undef, ::page1_rows('2026-03-04'),
       ::row($::Priya, '2026-03-04', 'chat', $::U{priya_chat}),
       ::row($::Priya, '2026-03-04', 'office_agent', $::U{priya_office}))
--- no_error_log
[error]



=== TEST 8: users: one per user of the day (default three days ago), two pages
--- http_config eval
::mock('', "date=$::Day3", "date=$::Day3&page=cGFnZToy")
--- request eval
[ "GET /unified/usage-metering/users?integrated_account_id=claude-1&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/users?integrated_account_id=claude-1&next_cursor=" . ::cursor('users', [$::A], [0, 0, 'cGFnZToy']) ]
--- response_body eval
[ '{"result":[{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","emails":[{"email":"jane@acme.com","is_primary":true}],"last_active_at":"2026-03-04T00:00:00.000Z"},{"id":"user_01Hq7bVtN3kS9xRwLp2mYdEa","emails":[{"email":"omar.haddad@acme.com","is_primary":true}],"last_active_at":"2026-03-04T00:00:00.000Z"},{"id":"user_01Kd4nXe8GqTz5VbWc3rJfHs","emails":[{"email":"li.wei@acme.com","is_primary":true}],"last_active_at":"2026-03-04T00:00:00.000Z"},{"id":"user_01Rm2pQy6ZcVa8LsTd4nHgBk","emails":[{"email":"sam.okafor@acme.com","is_primary":true}],"last_active_at":"2026-02-19T00:00:00.000Z"}],"next_cursor":"' . ::cursor('users', [$::A], [0, 0, 'cGFnZToy']) . '","result_count":4}',
  '{"result":[{"id":"user_01Tz9wEr3MbXn7KyUf5qJcPd","emails":[{"email":"priya.nair@acme.com","is_primary":true}],"last_active_at":"2026-03-04T00:00:00.000Z","remote_data":' . $::Priya . '}],"next_cursor":null,"result_count":1}' ]
--- error_code eval
[200, 200]



=== TEST 9: users of a given day; a user without last_activity_date has no last_active_at
--- user_files eval
(my $r = $::Sam) =~ s/,"last_activity_date":"[^"]*"//;
">>> users.json\n{\"data\":[$r],\"next_page\":null}\n"
--- request
GET /unified/usage-metering/users?integrated_account_id=claude-1&date=2026-03-04&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"user_01Rm2pQy6ZcVa8LsTd4nHgBk","emails":[{"email":"sam.okafor@acme.com","is_primary":true}]}],"next_cursor":null,"result_count":1}



=== TEST 10: a day without data is an empty list
--- user_files
>>> users.json
{"data":[],"next_page":null}
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04",
  "GET /unified/usage-metering/users?integrated_account_id=claude-1&date=2026-03-04" ]
--- response_body eval
[ '{"result":[],"next_cursor":null,"result_count":0}',
  '{"result":[],"next_cursor":null,"result_count":0}' ]
--- error_code eval
[200, 200]



=== TEST 11: organizations, workspaces and gets are not supported: 404, no call
--- request eval
[ "GET /unified/usage-metering/organizations?integrated_account_id=claude-1",
  "GET /unified/usage-metering/workspaces?integrated_account_id=claude-1",
  "GET /unified/usage-metering/users/user_01WCz1FkmYMm4gnmykNKUu3Q?integrated_account_id=claude-1",
  "GET /unified/usage-metering/usage/u1?integrated_account_id=claude-1" ]
--- error_code eval
[404, 404, 404, 404]
--- response_body eval
[ '{"statusCode":404,"error":"Not Found","message":"resource \"organizations\" is not supported by provider \"claude\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"workspaces\" is not supported by provider \"claude\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"users\" (get by id) is not supported by provider \"claude\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"usage\" (get by id) is not supported by provider \"claude\""}' ]
--- no_error_log
usage_metering: call



=== TEST 12: a provider error passes through with its status and message
--- http_config eval
::mock('', 'date=2026-03-20') =~ s{try_files /users-\$arg_page.json /users.json;}{return 400 '{"type":"error","error":{"type":"invalid_request_error","message":"Data for 2026-03-20 is not available yet; the latest available date is 2026-03-17"}}';}r
--- request
GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-20
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"Data for 2026-03-20 is not available yet; the latest available date is 2026-03-17","truto_is_remote_error":true,"raw_response":{"type":"error","error":{"type":"invalid_request_error","message":"Data for 2026-03-20 is not available yet; the latest available date is 2026-03-17"}}}



=== TEST 13: a key the provider refuses: its 401 and message
--- http_config eval
::mock('', 'date=2026-03-04') =~ s/api_key=\S+;/api_key=sk-ant-api01-revoked;/r
--- request
GET /unified/usage-metering/users?integrated_account_id=claude-1&date=2026-03-04
--- error_code: 401
--- response_body chomp
{"statusCode":401,"error":"Unauthorized","message":"invalid x-api-key","truto_is_remote_error":true,"raw_response":{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}}



=== TEST 14: rate limited: 429 with Retry-After forwarded; a provider 5xx is 502
--- http_config eval
::mock('', 'date=2026-03-04', 'date=2026-03-05') =~ s{try_files /users-\$arg_page.json /users.json;}{
            if (\$arg_date = "2026-03-04") {
                add_header Retry-After 30 always;
                return 429 '{"type":"error","error":{"type":"rate_limit_error","message":"Rate limit exceeded"}}';
            }
            return 500 '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}';
}r
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-04",
  "GET /unified/usage-metering/usage?integrated_account_id=claude-1&date=2026-03-05" ]
--- error_code eval
[429, 502]
--- response_headers eval
[ "Retry-After: 30", "!Retry-After" ]
--- response_body eval
[ '{"statusCode":429,"error":"Too Many Requests","message":"Rate limit exceeded","truto_is_remote_error":true,"raw_response":{"type":"error","error":{"type":"rate_limit_error","message":"Rate limit exceeded"}}}',
  '{"statusCode":502,"error":"Bad Gateway","message":"Internal server error","truto_is_remote_error":true,"raw_response":{"type":"error","error":{"type":"api_error","message":"Internal server error"}}}' ]



=== TEST 15: debug: the request as sent, the analytics key redacted and nowhere in the answer
--- user_files eval
">>> users.json\n{\"data\":[$::Li],\"next_page\":null}\n"
--- request
GET /unified/usage-metering/users?integrated_account_id=claude-1&date=2026-03-04&truto_response_format=debug
--- response_body_like eval
qr/^(?!.*sk-ant-api01-test).*"requestUrl":"http:\/\/127\.0\.0\.1:\d+\/v1\/organizations\/analytics\/users\?date=2026-03-04","requestOptions":\{"method":"GET","headers":\{"x-api-key":"\[REDACTED\]","anthropic-version":"2023-06-01",/s
