# Cursor Admin API (provider=cursor): the static products, usage from
# POST /teams/daily-usage-data (one row per user and day, the range in epoch
# milliseconds in a JSON body), users from GET /teams/members, against an
# njs mock on loopback that checks the method, the Basic credentials (the
# key as user name, empty password), the content type and the exact body.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(encode_base64 encode_base64url);
use Time::Local qw(timegm);

our $Secret = 'test-cursor-secret-0123456789abcdef';
our $Key = 'key_3f9a1c7e2b8d4f6a0c5e9b1d7f3a8c2e';
our $Basic = encode_base64("$Key:", '');

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

# epoch milliseconds of a UTC day
sub ms {
    my ($y, $m, $d) = @_;
    return timegm(0, 0, 0, $d, $m - 1, $y) * 1000;
}

# the defaults: from the start of the current month to today (UTC)
my @now = gmtime;
our $MonthStart = ms($now[5] + 1900, $now[4] + 1, 1);
our $Today = ms($now[5] + 1900, $now[4] + 1, $now[3]);

sub body {
    my ($start, $end) = @_;
    return qq({"startDate":$start,"endDate":$end});
}

sub list {
    my ($next, @rows) = @_;
    return '{"result":[' . CORE::join(',', @rows) . '],"next_cursor":'
           . (defined $next ? qq("$next") : 'null') . ',"result_count":'
           . scalar(@rows) . '}';
}

# a row with the provider's record as its remote_data
sub rd {
    my ($row, $rec) = @_;
    return substr($row, 0, -1) . qq(,"remote_data":$rec});
}

# two users over two days, as Cursor's daily usage gives them: Sam (admin)
# was not active on the second day, so has no model nor client version
our $Dev2 = q{{"date":1772409600000,"isActive":true,"totalLinesAdded":863,"totalLinesDeleted":204,"acceptedLinesAdded":604,"acceptedLinesDeleted":142,"totalApplies":60,"totalAccepts":51,"totalRejects":9,"totalTabsShown":124,"totalTabsAccepted":74,"composerRequests":4,"chatRequests":24,"agentRequests":23,"cmdkUsages":7,"subscriptionIncludedReqs":51,"apiKeyReqs":0,"usageBasedReqs":8,"bugbotUsages":1,"mostUsedModel":"claude-4.5-sonnet","applyMostUsedExtension":".tsx","tabMostUsedExtension":".ts","clientVersion":"1.7.43","email":"developer@company.com"}};
our $Admin2 = q{{"date":1772409600000,"isActive":true,"totalLinesAdded":1056,"totalLinesDeleted":121,"acceptedLinesAdded":739,"acceptedLinesDeleted":84,"totalApplies":40,"totalAccepts":34,"totalRejects":6,"totalTabsShown":146,"totalTabsAccepted":87,"composerRequests":35,"chatRequests":108,"agentRequests":3,"cmdkUsages":15,"subscriptionIncludedReqs":146,"apiKeyReqs":0,"usageBasedReqs":3,"bugbotUsages":0,"mostUsedModel":"gpt-5","applyMostUsedExtension":".go","tabMostUsedExtension":".go","clientVersion":"1.7.42","email":"admin@company.com"}};
our $Dev3 = q{{"date":1772496000000,"isActive":true,"totalLinesAdded":411,"totalLinesDeleted":645,"acceptedLinesAdded":287,"acceptedLinesDeleted":451,"totalApplies":83,"totalAccepts":70,"totalRejects":13,"totalTabsShown":196,"totalTabsAccepted":117,"composerRequests":23,"chatRequests":24,"agentRequests":35,"cmdkUsages":8,"subscriptionIncludedReqs":82,"apiKeyReqs":0,"usageBasedReqs":0,"bugbotUsages":1,"mostUsedModel":"claude-4.5-sonnet","applyMostUsedExtension":".py","tabMostUsedExtension":".go","clientVersion":"1.7.43","email":"developer@company.com"}};
our $Admin3 = q{{"date":1772496000000,"isActive":false,"totalLinesAdded":0,"totalLinesDeleted":0,"acceptedLinesAdded":0,"acceptedLinesDeleted":0,"totalApplies":0,"totalAccepts":0,"totalRejects":0,"totalTabsShown":0,"totalTabsAccepted":0,"composerRequests":0,"chatRequests":0,"agentRequests":0,"cmdkUsages":0,"subscriptionIncludedReqs":0,"apiKeyReqs":0,"usageBasedReqs":0,"bugbotUsages":0,"mostUsedModel":null,"email":"admin@company.com"}};

our $Daily = '{"data":[' . CORE::join(",\n", $Dev2, $Admin2, $Dev3, $Admin3)
             . '],"period":{"startDate":1772409600000,"endDate":1772496000000}}';

our $Members = <<'_EOC_';
{"teamMembers":[
{"id":12345,"name":"Alex Chen","email":"developer@company.com","role":"member","isRemoved":false},
{"id":12346,"name":"Sam Patel","email":"admin@company.com","role":"owner","isRemoved":false},
{"id":12348,"name":"Jordan Lee","email":"jordan.lee@company.com","role":"free-owner","isRemoved":false},
{"id":12311,"name":"Taylor Kim","email":"taylor.kim@company.com","role":"member","isRemoved":true},
{"name":"Robin Diaz","email":"robin.diaz@company.com","role":"member"}
]}
_EOC_

# the unified rows of the four records, read off them
our @R = (
    '{"id":"developer@company.com:2026-03-02","product":{"id":"cursor","name":"Cursor"},"model":{"id":"claude-4.5-sonnet","provider":"cursor"},"user":{"email":"developer@company.com"},"usage":{"requests":{"chat":24,"composer":4,"agent":23,"cmdk":7,"tab_shown":124,"tab_accepted":74,"included":51,"usage_based":8,"api_key":0,"bugbot":1},"code":{"lines_added":863,"lines_removed":204,"accepted_lines_added":604,"accepted_lines_removed":142,"applies":60,"accepts":51,"rejects":9},"activity":{"is_active":true,"client_version":"1.7.43"}},"start_date":"2026-03-02T00:00:00.000Z","end_date":"2026-03-03T00:00:00.000Z"}',
    '{"id":"admin@company.com:2026-03-02","product":{"id":"cursor","name":"Cursor"},"model":{"id":"gpt-5","provider":"cursor"},"user":{"email":"admin@company.com"},"usage":{"requests":{"chat":108,"composer":35,"agent":3,"cmdk":15,"tab_shown":146,"tab_accepted":87,"included":146,"usage_based":3,"api_key":0,"bugbot":0},"code":{"lines_added":1056,"lines_removed":121,"accepted_lines_added":739,"accepted_lines_removed":84,"applies":40,"accepts":34,"rejects":6},"activity":{"is_active":true,"client_version":"1.7.42"}},"start_date":"2026-03-02T00:00:00.000Z","end_date":"2026-03-03T00:00:00.000Z"}',
    '{"id":"developer@company.com:2026-03-03","product":{"id":"cursor","name":"Cursor"},"model":{"id":"claude-4.5-sonnet","provider":"cursor"},"user":{"email":"developer@company.com"},"usage":{"requests":{"chat":24,"composer":23,"agent":35,"cmdk":8,"tab_shown":196,"tab_accepted":117,"included":82,"usage_based":0,"api_key":0,"bugbot":1},"code":{"lines_added":411,"lines_removed":645,"accepted_lines_added":287,"accepted_lines_removed":451,"applies":83,"accepts":70,"rejects":13},"activity":{"is_active":true,"client_version":"1.7.43"}},"start_date":"2026-03-03T00:00:00.000Z","end_date":"2026-03-04T00:00:00.000Z"}',
    '{"id":"admin@company.com:2026-03-03","product":{"id":"cursor","name":"Cursor"},"user":{"email":"admin@company.com"},"usage":{"requests":{"chat":0,"composer":0,"agent":0,"cmdk":0,"tab_shown":0,"tab_accepted":0,"included":0,"usage_based":0,"api_key":0,"bugbot":0},"code":{"lines_added":0,"lines_removed":0,"accepted_lines_added":0,"accepted_lines_removed":0,"applies":0,"accepts":0,"rejects":0},"activity":{"is_active":false}},"start_date":"2026-03-03T00:00:00.000Z","end_date":"2026-03-04T00:00:00.000Z"}',
);

# the same rows in two pages, as newer versions of the API answer
our $Pag1 = '{"data":[' . CORE::join(",\n", $Dev2, $Admin2)
            . '],"period":{"startDate":1772409600000,"endDate":1772496000000},"pagination":{"numPages":2,"currentPage":1,"pageSize":2,"hasNextPage":true,"hasPreviousPage":false}}';
our $Pag2 = '{"data":[' . CORE::join(",\n", $Dev3, $Admin3)
            . '],"period":{"startDate":1772409600000,"endDate":1772496000000},"pagination":{"numPages":2,"currentPage":2,"pageSize":2,"hasNextPage":false,"hasPreviousPage":true}}';

our $Files = ">>> daily.json\n$Daily\n>>> members.json\n$Members\n>>> daily-p1.json\n$Pag1\n>>> daily-p2.json\n$Pag2\n" . <<'_EOC_';
>>> mock.js
var fs = require('fs');

/* what a request must be; the answer says what was wrong with it */
function problems(r, method) {
    var bad = [];

    if (r.method != method) {
        bad.push('method ' + r.method);
    }
    if (r.headersIn['Cookie'] !== undefined) {
        bad.push('a client cookie reached the provider');
    }
    if (r.variables.args) {
        bad.push('query ' + r.variables.args);
    }
    if (method == 'POST') {
        if (r.headersIn['Content-Type'] != 'application/json') {
            bad.push('content type ' + r.headersIn['Content-Type']);
        }
        if (r.requestText != r.variables.want_body) {
            bad.push('body ' + r.requestText);
        }
    }

    return bad;
}

function answer(r, method) {
    var bad;

    if (r.headersIn['Authorization'] != 'Basic ' + r.variables.want_auth) {
        r.return(401, JSON.stringify({ error: 'Invalid API key' }));
        return;
    }

    bad = problems(r, method);

    if (bad.length) {
        r.return(400, JSON.stringify({ error: bad.join('; ') }));
        return;
    }

    r.headersOut['Content-Type'] = 'application/json';
    r.return(200, fs.readFileSync(r.variables.answer_file, 'utf8'));
}

function daily(r) { answer(r, 'POST'); }
function members(r) { answer(r, 'GET'); }

/* a paging Cursor: the first page for the body without page, the second
 * for the same body with "page":2 (a number) */
function paged(r) {
    var file;

    if (r.headersIn['Authorization'] != 'Basic ' + r.variables.want_auth) {
        r.return(401, JSON.stringify({ error: 'Invalid API key' }));
        return;
    }

    if (r.method == 'POST' && r.requestText == r.variables.want_body) {
        file = 'daily-p1.json';
    } else if (r.method == 'POST' && r.requestText == r.variables.want_body_2) {
        file = 'daily-p2.json';
    } else {
        r.return(400, JSON.stringify({ error: 'body ' + r.requestText }));
        return;
    }

    r.headersOut['Content-Type'] = 'application/json';
    r.return(200, fs.readFileSync(r.variables.html_dir + '/' + file, 'utf8'));
}

export default { daily, members, paged };
_EOC_

our $Main = "load_module /usr/lib/nginx/modules/ngx_http_js_module.so;";

our $MockTemplate = <<'_EOC_';
    js_import mock from $TEST_NGINX_HTML_DIR/mock.js;

    usage_metering_mappings       $TEST_NGINX_MAPPINGS;
    usage_metering_account        cursor-1 provider=cursor upstream=/_um/cursor
                                  basic_auth=__BASIC__;
    usage_metering_cursor_secret  __SECRET__;
    usage_metering_cursor_ttl     0;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;
        set $want_auth '__BASIC__';

        location = /teams/daily-usage-data {
            set $want_body '__BODY__';
            set $answer_file $TEST_NGINX_HTML_DIR/daily.json;
            js_content mock.daily;
        }

        location = /teams/members {
            set $answer_file $TEST_NGINX_HTML_DIR/members.json;
            js_content mock.members;
        }
    }
_EOC_

# the mock, expecting this body for the daily usage
sub mock {
    my ($body) = @_;
    my $t = $MockTemplate;
    $t =~ s/__BASIC__/$Basic/g;
    $t =~ s/__SECRET__/$Secret/;
    $t =~ s/__BODY__/$body/;
    return $t;
}

# the paging mock: the first page for this body, the second for it with
# "page":2
sub mock_paged {
    my ($start, $end) = @_;
    my $t = mock(body($start, $end));
    my $b2 = qq({"startDate":$start,"endDate":$end,"page":2});
    $t =~ s{js_content mock\.daily;}{set \$want_body_2 '$b2';\n            set \$html_dir \$TEST_NGINX_HTML_DIR;\n            js_content mock.paged;};
    return $t;
}

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/cursor/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
        proxy_set_header Authorization "Basic $usage_metering_account_basic_auth";
        proxy_set_header Content-Type application/json;
        proxy_set_header Accept application/json;
    }
_EOC_

our $A = ['integrated_account_id', 'cursor-1'];

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("user_files", $::Files) unless defined $block->user_files;
    $block->set_value("main_config", $::Main) unless defined $block->main_config;
    $block->set_value("http_config",
                      mock(body(ms(2026, 3, 2), ::ms(2026, 3, 3))))
        unless defined $block->http_config;
    $block->set_value("config", $::Config) unless defined $block->config;
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: products: static, no provider call
--- request
GET /unified/usage-metering/products?integrated_account_id=cursor-1
--- response_body chomp
{"result":[{"id":"cursor","name":"Cursor","description":"The Cursor AI code editor of a Business or Enterprise team: chat, Composer, Agent, Cmd+K and Tab completions."},{"id":"bugbot","name":"Bugbot","description":"Cursor's AI review of pull requests."}],"next_cursor":null,"result_count":2}
--- no_error_log
usage_metering: call



=== TEST 2: usage: the dates as epoch milliseconds in the POST body; one row per user and day
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03&truto_ignore_remote_data=true
--- more_headers
Authorization: Bearer client-secret
Cookie: session=abc
--- response_body eval
::list(undef, @::R)
--- error_log eval
qr{usage_metering: call POST /_um/cursor/teams/daily-usage-data\?$}
--- no_error_log
[error]



=== TEST 3: remote_data is each provider record, untouched
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03
--- response_body eval
::list(undef, ::rd($::R[0], $::Dev2), ::rd($::R[1], $::Admin2),
       ::rd($::R[2], $::Dev3), ::rd($::R[3], $::Admin3))



=== TEST 4: no dates: from the start of the current month to today
--- http_config eval
::mock(::body($::MonthStart, $::Today))
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&truto_ignore_remote_data=true
--- response_body eval
::list(undef, @::R)
--- no_error_log
[error]



=== TEST 5: start_date alone ends with its month; a date-time is sent to the millisecond
--- http_config eval
::mock(::body(::ms(2024, 2, 10) + (22.5 + 5) * 3600000, ::ms(2024, 2, 29)))
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2024-02-10T22:30:00-05:00&truto_ignore_remote_data=true
--- response_body eval
::list(undef, @::R)



=== TEST 6: end_date alone starts at the start of its month
--- http_config eval
::mock(::body(::ms(2024, 2, 1), ::ms(2024, 2, 20)))
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&end_date=2024-02-20&truto_ignore_remote_data=true
--- response_body eval
::list(undef, @::R)



=== TEST 7: end_date before start_date: 400, no call
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-03&end_date=2026-03-02
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"end_date must not be before start_date"}
--- no_error_log
usage_metering: call



=== TEST 8: Cursor answers the range at once: limit trims it, next_cursor resumes after the last row given
--- request eval
my @p = ($::A, ['start_date', '2026-03-02'], ['end_date', '2026-03-03'], ['limit', '3']);
[ "GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03&limit=3&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03&limit=3&truto_ignore_remote_data=true&next_cursor=" . ::cursor('usage', \@p, [0, 3, '']) ]
--- response_body eval
my @p = ($::A, ['start_date', '2026-03-02'], ['end_date', '2026-03-03'], ['limit', '3']);
[ ::list(::cursor('usage', \@p, [0, 3, '']), @::R[0 .. 2]),
  ::list(undef, $::R[3]) ]
--- error_code eval
[200, 200]



=== TEST 9: newer answers page: the next page is asked with "page":2 in the body; the last page has no next_cursor
--- http_config eval
::mock_paged(::ms(2026, 3, 2), ::ms(2026, 3, 3))
--- request eval
my @p = ($::A, ['start_date', '2026-03-02'], ['end_date', '2026-03-03']);
[ "GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03&truto_ignore_remote_data=true",
  "GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03&truto_ignore_remote_data=true&next_cursor=" . ::cursor('usage', \@p, [0, 0, '2']) ]
--- response_body eval
my @p = ($::A, ['start_date', '2026-03-02'], ['end_date', '2026-03-03']);
[ ::list(::cursor('usage', \@p, [0, 0, '2']), @::R[0 .. 1]),
  ::list(undef, @::R[2 .. 3]) ]
--- error_code eval
[200, 200]
--- no_error_log
[error]



=== TEST 10: newer answers page: stream reads every page
--- http_config eval
::mock_paged(::ms(2026, 3, 2), ::ms(2026, 3, 3))
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03&truto_ignore_remote_data=true&truto_response_format=stream
--- response_body eval
::list(undef, @::R)
--- no_error_log
[error]



=== TEST 11: a row with the user's id (newer answers carry userId)
--- user_files eval
(my $f = $::Files) =~ s/>>> daily\.json\n.*?\n>>> />>> daily.json\n{"data":[{"date":1772582400000,"userId":12347,"isActive":true,"totalLinesAdded":96,"totalLinesDeleted":12,"acceptedLinesAdded":80,"acceptedLinesDeleted":10,"totalApplies":6,"totalAccepts":5,"totalRejects":1,"totalTabsShown":40,"totalTabsAccepted":22,"composerRequests":1,"chatRequests":3,"agentRequests":9,"cmdkUsages":2,"subscriptionIncludedReqs":13,"apiKeyReqs":2,"usageBasedReqs":0,"bugbotUsages":0,"mostUsedModel":"auto","clientVersion":"1.7.46","email":"maria.lopez\@company.com"}],"period":{"startDate":1772409600000,"endDate":1772496000000}}\n>>> /s;
$f
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"maria.lopez@company.com:2026-03-04","product":{"id":"cursor","name":"Cursor"},"model":{"id":"auto","provider":"cursor"},"user":{"id":"12347","email":"maria.lopez@company.com"},"usage":{"requests":{"chat":3,"composer":1,"agent":9,"cmdk":2,"tab_shown":40,"tab_accepted":22,"included":13,"usage_based":0,"api_key":2,"bugbot":0},"code":{"lines_added":96,"lines_removed":12,"accepted_lines_added":80,"accepted_lines_removed":10,"applies":6,"accepts":5,"rejects":1},"activity":{"is_active":true,"client_version":"1.7.46"}},"start_date":"2026-03-04T00:00:00.000Z","end_date":"2026-03-05T00:00:00.000Z"}],"next_cursor":null,"result_count":1}



=== TEST 12: users: team members with emails, roles and status (removed: deleted)
--- request
GET /unified/usage-metering/users?integrated_account_id=cursor-1&truto_ignore_remote_data=true
--- more_headers
Cookie: session=abc
--- response_body chomp
{"result":[{"id":"12345","name":"Alex Chen","emails":[{"email":"developer@company.com","is_primary":true}],"roles":[{"id":"member","name":"member"}],"status":"active"},{"id":"12346","name":"Sam Patel","emails":[{"email":"admin@company.com","is_primary":true}],"roles":[{"id":"owner","name":"owner"}],"status":"active"},{"id":"12348","name":"Jordan Lee","emails":[{"email":"jordan.lee@company.com","is_primary":true}],"roles":[{"id":"free-owner","name":"free-owner"}],"status":"active"},{"id":"12311","name":"Taylor Kim","emails":[{"email":"taylor.kim@company.com","is_primary":true}],"roles":[{"id":"member","name":"member"}],"status":"deleted"},{"id":"robin.diaz@company.com","name":"Robin Diaz","emails":[{"email":"robin.diaz@company.com","is_primary":true}],"roles":[{"id":"member","name":"member"}],"status":"active"}],"next_cursor":null,"result_count":5}
--- error_log eval
qr{usage_metering: call GET /_um/cursor/teams/members\?$}
--- no_error_log
[error]



=== TEST 13: users: a member that carries a status string: mapped when it fits active, inactive, deleted or invited, else as given (Cursor documents none today); isRemoved wins
--- user_files eval
(my $f = $::Files) =~ s/>>> members\.json\n.*?\n>>> />>> members.json\n{"teamMembers":[{"id":12345,"name":"Alex Chen","email":"developer\@company.com","role":"member","isRemoved":false,"status":"Suspended"},{"id":12349,"name":"Kai Moreno","email":"kai.moreno\@company.com","role":"member","isRemoved":false,"status":"seat_pending_payment"},{"id":12311,"name":"Taylor Kim","email":"taylor.kim\@company.com","role":"member","isRemoved":true,"status":"active"}]}\n>>> /s;
$f
--- request
GET /unified/usage-metering/users?integrated_account_id=cursor-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"12345","name":"Alex Chen","emails":[{"email":"developer@company.com","is_primary":true}],"roles":[{"id":"member","name":"member"}],"status":"inactive"},{"id":"12349","name":"Kai Moreno","emails":[{"email":"kai.moreno@company.com","is_primary":true}],"roles":[{"id":"member","name":"member"}],"status":"seat_pending_payment"},{"id":"12311","name":"Taylor Kim","emails":[{"email":"taylor.kim@company.com","is_primary":true}],"roles":[{"id":"member","name":"member"}],"status":"deleted"}],"next_cursor":null,"result_count":3}



=== TEST 14: users keep each member record as remote_data
--- user_files eval
(my $f = $::Files) =~ s/>>> members\.json\n.*?\n>>> />>> members.json\n{"teamMembers":[{"id":12346,"name":"Sam Patel","email":"admin\@company.com","role":"owner","isRemoved":false}]}\n>>> /s;
$f
--- request
GET /unified/usage-metering/users?integrated_account_id=cursor-1
--- response_body chomp
{"result":[{"id":"12346","name":"Sam Patel","emails":[{"email":"admin@company.com","is_primary":true}],"roles":[{"id":"owner","name":"owner"}],"status":"active","remote_data":{"id":12346,"name":"Sam Patel","email":"admin@company.com","role":"owner","isRemoved":false}}],"next_cursor":null,"result_count":1}



=== TEST 15: empty answers are empty lists
--- user_files eval
(my $f = $::Files) =~ s/>>> daily\.json\n.*?\n>>> members\.json\n.*?\n>>> />>> daily.json\n{"data":[],"period":{"startDate":1772409600000,"endDate":1772496000000}}\n>>> members.json\n{"teamMembers":[]}\n>>> /s;
$f
--- request eval
[ "GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03",
  "GET /unified/usage-metering/users?integrated_account_id=cursor-1" ]
--- response_body eval
[ '{"result":[],"next_cursor":null,"result_count":0}',
  '{"result":[],"next_cursor":null,"result_count":0}' ]
--- error_code eval
[200, 200]



=== TEST 16: organizations, workspaces and gets are not supported: 404, no call
--- request eval
[ "GET /unified/usage-metering/organizations?integrated_account_id=cursor-1",
  "GET /unified/usage-metering/workspaces?integrated_account_id=cursor-1",
  "GET /unified/usage-metering/users/12345?integrated_account_id=cursor-1",
  "GET /unified/usage-metering/usage/x?integrated_account_id=cursor-1" ]
--- error_code eval
[404, 404, 404, 404]
--- response_body eval
[ '{"statusCode":404,"error":"Not Found","message":"resource \"organizations\" is not supported by provider \"cursor\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"workspaces\" is not supported by provider \"cursor\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"users\" (get by id) is not supported by provider \"cursor\""}',
  '{"statusCode":404,"error":"Not Found","message":"resource \"usage\" (get by id) is not supported by provider \"cursor\""}' ]
--- no_error_log
usage_metering: call



=== TEST 17: a key Cursor refuses: its 401 and message
--- http_config eval
::mock(::body(::ms(2026, 3, 2), ::ms(2026, 3, 3))) =~ s/basic_auth=\S+;/basic_auth=a2V5X3Jldm9rZWQ6;/r
--- request
GET /unified/usage-metering/users?integrated_account_id=cursor-1
--- error_code: 401
--- response_body chomp
{"statusCode":401,"error":"Unauthorized","message":"Invalid API key","truto_is_remote_error":true,"raw_response":{"error":"Invalid API key"}}



=== TEST 18: a range Cursor refuses: its 400 and message
--- http_config eval
::mock(::body(::ms(2026, 3, 2), ::ms(2026, 3, 3))) =~ s{js_content mock\.daily;}{return 400 '{"error":"Date range cannot exceed 90 days"}';}r
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2025-01-01&end_date=2026-03-03
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"Date range cannot exceed 90 days","truto_is_remote_error":true,"raw_response":{"error":"Date range cannot exceed 90 days"}}



=== TEST 19: debug: the POST as sent, the credentials redacted and nowhere in the answer
--- request
GET /unified/usage-metering/usage?integrated_account_id=cursor-1&start_date=2026-03-02&end_date=2026-03-03&truto_response_format=debug
--- response_body_like eval
my $b = quotemeta $::Basic;
qr/^(?!.*$b)(?!.*key_3f9a).*"requestOptions":\{"method":"POST","headers":\{"authorization":"\[REDACTED\]","content-type":"application\/json",.*"body":\{"startDate":1772409600000,"endDate":1772496000000\}\}/s
