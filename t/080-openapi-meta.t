# The API's own documents: {prefix}/openapi.json (built from the unified
# model and the loaded mappings) and the meta endpoints
# {prefix}/{resource}/{provider}/meta/{method} (what a mapping fills, reads
# and defaults, found by compiling it).  Both need no account and no key.
#
# --- json_checks: one check per line on the JSON body, by JSON pointer:
#     <pointer> = <json>      equal
#     <pointer> has <array>   an array holding each of these (deep equal)
#     <pointer> lacks <array> an array holding none of these
#     <pointer> !             absent

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

use JSON::PP ();

sub json_at {
    my ($doc, $ptr) = @_;
    return (1, $doc) if $ptr eq '';
    my $cur = $doc;
    for my $tok (map { s/~1/\//gr =~ s/~0/~/gr } split m{/}, substr($ptr, 1), -1) {
        if (ref $cur eq 'HASH') {
            return (0) unless exists $cur->{$tok};
            $cur = $cur->{$tok};
        } elsif (ref $cur eq 'ARRAY') {
            return (0) unless $tok =~ /^[0-9]+$/ && $tok < @$cur;
            $cur = $cur->[$tok];
        } else {
            return (0);
        }
    }
    return (1, $cur);
}

my $canon = JSON::PP->new->canonical->allow_nonref;

add_response_body_check(sub {
    my ($block, $body, $req_idx, $rep, $dry_run) = @_;
    my $spec = $block->json_checks;
    return unless defined $spec;
    my $name = $block->name;

    SKIP: {
        skip "$name - json_checks - tests skipped due to $dry_run", 1
            if $dry_run;

        my $doc = eval { JSON::PP->new->decode($body) };
        if (!defined $doc) {
            Test::More::fail("$name - json_checks: the body is JSON ($@)");
            return;
        }

        for my $line (split /\n/, $spec) {
            next if $line =~ /^\s*(#.*)?$/;
            my ($ptr, $op, $want) = $line =~ /^(\S*)\s+(=|has|lacks|!)\s*(.*)$/
                or die "$name: bad json_checks line: $line\n";
            my ($found, $got) = json_at($doc, $ptr);

            if ($op eq '!') {
                Test::More::ok(!$found, "$name - json $ptr is absent");
                next;
            }

            if (!$found) {
                Test::More::fail("$name - json $ptr exists");
                next;
            }

            my $w = $canon->decode($want);

            if ($op eq '=') {
                is_str($canon->encode($got), $canon->encode($w),
                       "$name - json $ptr");
                next;
            }

            my %have = map { $canon->encode($_) => 1 }
                       (ref $got eq 'ARRAY' ? @$got : ());
            my $lacks = $op eq 'lacks';
            my @bad = grep { $lacks xor !$have{$canon->encode($_)} } @$w;
            Test::More::ok(ref $got eq 'ARRAY' && !@bad,
                           "$name - json $ptr $op $want")
                or Test::More::diag(($lacks ? "present: " : "missing: ")
                                    . CORE::join(' ', map { $canon->encode($_) } @bad)
                                    . "\ngot: " . $canon->encode($got));
        }
    }
});


our $Files = <<'_EOC_';
>>> maps/acme.json
{
  "provider": "acme",
  "label": "Acme Cloud",
  "resources": {
    "usage": {
      "list": {
        "description": "Acme usage: one row per item.",
        "defaults": { "date": "'2024-01-15'", "region": "$account.region" },
        "let": {
          "day": "$query.date",
          "since": "$query.start_date ? $query.start_date : $query.date"
        },
        "request": {
          "path": "/usage/{$account.org}",
          "query": {
            "day": "$day", "team": "$query.team", "since": "$since",
            "n": "$limit", "r": "$query.region"
          }
        },
        "join": {
          "prices": { "request": { "path": "/prices" }, "records": "data", "key": "sku" }
        },
        "pagination": { "send": "query", "param": "page", "next": "next" },
        "records": "items",
        "row": {
          "id": "id",
          "product": { "id": "sku" },
          "charges": [
            { "amount": "cost", "currency": "'USD'", "type": "'total'" }
          ],
          "usage": { "quantity": "qty", "unit": "'GB'" },
          "x_custom": "extra",
          "organization": "{ 'id': org, 'name': org_name }",
          "start_date": "$toIso(day)"
        }
      }
    },
    "users": {
      "get": {
        "request": { "path": "/users/{$id}" },
        "row": { "id": "id", "name": "name", "emails": [ { "email": "mail", "is_primary": "true" } ] }
      }
    },
    "products": {
      "list": {
        "static": [
          { "id": "compute", "name": "Compute" },
          { "id": "storage", "name": "Storage", "description": "Bytes kept" }
        ]
      }
    }
  }
}
>>> maps/beta.json
{
  "provider": "beta",
  "resources": {
    "usage": {
      "list": {
        "request": { "path": "/b", "query": { "q": "$join($keys($query), ',')" } },
        "records": "data",
        "row": { "id": "id" }
      }
    }
  }
}
_EOC_

# the bundled confluent mapping, next to the test ones
{
    open my $fh, "<", ($ENV{TEST_NGINX_MAPPINGS} // "mappings") . "/confluent.json"
        or die "confluent.json: $!";
    local $/;
    $Files .= ">>> maps/confluent.json\n" . <$fh>;
}

our $HttpConfig = <<'_EOC_';
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /keyed/api/ {
        usage_metering;
        usage_metering_api_key  0123456789abcdef0123456789abcdef;
    }

    location /bare {
        usage_metering;
    }
_EOC_

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

=== TEST 1: openapi.json: an OpenAPI 3.1 document of the loaded mappings
--- request
GET /unified/usage-metering/openapi.json
--- response_headers
Content-Type: application/json
--- json_checks
/openapi = "3.1.0"
/info/title = "Unified Usage Metering API"
/servers = [{"url":"/unified/usage-metering"}]
/security !
/paths/~1usage/get/operationId = "listUsage"
/paths/~1usage~1{id}/get/operationId = "getUsage"
/paths/~1organizations/get/operationId = "listOrganizations"
/paths/~1users~1{id}/get/operationId = "getUser"
/paths/~1usage/get/x-providers = ["acme","beta","confluent"]
/paths/~1usage~1{id}/get/x-providers = []
/paths/~1users~1{id}/get/x-providers has ["acme"]
/paths/~1users~1{id}/get/x-providers lacks ["beta"]
/paths/~1products/get/x-providers = ["acme","confluent"]
/paths/~1usage/get/x-provider-query-parameters/acme = ["date","region","start_date","team","limit"]
/paths/~1usage/get/x-provider-query-parameters/beta = []
/paths/~1usage/get/parameters has [{"$ref":"#/components/parameters/integrated_account_id"},{"$ref":"#/components/parameters/next_cursor"},{"$ref":"#/components/parameters/truto_response_format"},{"$ref":"#/components/parameters/remote_query"}]
/paths/~1usage/get/parameters has [{"name":"team","in":"query","schema":{"type":"string"},"description":"Read by the mapping of acme; its meaning is the provider's."},{"name":"region","in":"query","schema":{"type":"string"},"description":"Read by the mapping of acme; its meaning is the provider's."}]
/paths/~1usage~1{id}/get/parameters/0 = {"name":"id","in":"path","required":true,"schema":{"type":"string"},"description":"The id of the record at the provider."}
/paths/~1usage/get/responses/200/content/application~1json/schema = {"$ref":"#/components/schemas/UsageList"}
/paths/~1usage/get/responses/200/content/application~1x-ndjson/schema = {"$ref":"#/components/schemas/Usage"}
/paths/~1usage~1{id}/get/responses/200/content/application~1json/schema = {"$ref":"#/components/schemas/Usage"}
/paths/~1usage/get/responses/400 = {"$ref":"#/components/responses/BadRequest"}
/paths/~1{resource}~1{provider}~1meta~1{method}/get/security = []
/paths/~1{resource}~1{provider}~1meta~1{method}/get/parameters/1/schema/enum = ["acme","beta","confluent"]
/paths/~1openapi.json/get/security = []
/components/parameters/integrated_account_id/required = true
/components/parameters/remote_query/style = "deepObject"
/components/parameters/truto_exclude_fields/explode = false
/components/parameters/truto_response_format/schema/enum = ["unified","normalized","raw","stream","debug"]
/components/schemas/Error/required = ["statusCode","error","message"]
/components/schemas/UsageList/required = ["result","next_cursor","result_count"]
/components/schemas/Usage/required = ["id"]
/components/schemas/User/required = ["id","name"]
/components/schemas/Usage/properties/charges/items/properties/type/enum has ["total","usage_based","discount"]
/components/schemas/Usage/properties/end_date/format = "date-time"
/components/schemas/Workspace/properties/organization/properties/id/type = "string"
/components/schemas/Organization/properties/remote_data/type = "object"
/components/schemas/Product/properties/description/type = "string"
/components/securitySchemes/bearerAuth = {"type":"http","scheme":"bearer","description":"A key of usage_metering_api_key, as Authorization: Bearer <key>."}
--- no_error_log
[error]
[warn]



=== TEST 2: the document's description of an operation names its providers and their notes
--- request
GET /unified/usage-metering/openapi.json
--- response_body_like: "description":"Returns the usage data across products for the organization\. A list answers \{result, next_cursor, result_count\}\.\\n\\nSupported by:\\n- acme \(Acme Cloud\): Acme usage: one row per item\.\\n- beta\\n- confluent \(Confluent Cloud\): One row per cost line



=== TEST 3: where API keys are set, the document says so, and is itself public
--- request
GET /keyed/api/openapi.json
--- json_checks
/servers = [{"url":"/keyed/api"}]
/security = [{"bearerAuth":[]}]
/paths/~1openapi.json/get/security = []



=== TEST 4: ... while the data endpoints of that location want the key
--- request
GET /keyed/api/usage?integrated_account_id=x
--- error_code: 401
--- response_headers
WWW-Authenticate: Bearer



=== TEST 5: a location without a trailing slash
--- request
GET /bare/openapi.json
--- json_checks
/servers = [{"url":"/bare"}]
/openapi = "3.1.0"



=== TEST 6: meta of a list: fields, query parameters, defaults, requests, schemas
--- request
GET /unified/usage-metering/usage/acme/meta/list
--- response_headers
Content-Type: application/json
--- json_checks
/documentation_link = "/unified/usage-metering/openapi.json#/paths/~1usage/get"
/resource = "usage"
/method = "list"
/provider = "acme"
/provider_label = "Acme Cloud"
/description = "Acme usage: one row per item."
/static = false
/fields = ["id","product.id","charges.amount","charges.currency","charges.type","usage.quantity","usage.unit","x_custom","organization","start_date","remote_data"]
/query_parameters = ["date","region","start_date","team","limit"]
/reads_any_query_parameter !
/default_query = {"date":"2024-01-15"}
/default_query_expressions = {"date":"'2024-01-15'","region":"$account.region"}
/requests = [{"method":"GET","path":"/usage/{$account.org}","query":["day","team","since","n","r"]},{"method":"GET","path":"/prices","query":[],"join":"prices"}]
/pagination = "query"
/schema/properties/metric_name/type = "string"
/schema/properties/product/properties/name/type = "string"
/response_schema/required = ["id"]
/response_schema/properties/product/properties/id/type = "string"
/response_schema/properties/product/properties/name !
/response_schema/properties/metric_name !
/response_schema/properties/usage/properties/quantity/type = "number"
/response_schema/properties/usage/properties/tokens !
/response_schema/properties/organization/properties/name/type = "string"
/response_schema/properties/charges/items/properties/type/enum has ["total"]
/response_schema/properties/x_custom = {"description":"Not in the unified model: added by the mapping."}
/response_schema/properties/remote_data/type = "object"
/query_schema/properties/date/type = "string"
/query_schema/properties/date/examples = ["2024-03-01","2024-03-01T00:00:00Z"]
/query_schema/properties/start_date/description = "The start date for the usage data: an ISO 8601 date or date-time. Defaults and resolution depend on the provider."
/query_schema/properties/limit/type = "integer"
/query_schema/properties/team = {"description":"Read by the mapping; its meaning is the provider's."}
--- no_error_log
[error]



=== TEST 7: meta of a get: its link points at the get operation
--- request
GET /unified/usage-metering/users/acme/meta/get
--- json_checks
/documentation_link = "/unified/usage-metering/openapi.json#/paths/~1users~1%7Bid%7D/get"
/method = "get"
/fields = ["id","name","emails.email","emails.is_primary","remote_data"]
/query_parameters = []
/requests = [{"method":"GET","path":"/users/{$id}","query":[]}]
/pagination = null
/response_schema/required = ["id","name"]
/response_schema/properties/emails/items/properties/is_primary/type = "boolean"
/response_schema/properties/roles !



=== TEST 8: meta of a static list: no provider call, no remote_data
--- request
GET /unified/usage-metering/products/acme/meta/list
--- json_checks
/static = true
/fields = ["id","name","description"]
/requests = []
/response_schema/properties/remote_data !
/response_schema/properties/description/type = "string"



=== TEST 9: a mapping that passes $query whole may read any parameter
--- request
GET /unified/usage-metering/usage/beta/meta/list
--- json_checks
/reads_any_query_parameter = true
/query_parameters = []
/provider_label !



=== TEST 10: meta of the bundled confluent mapping
--- request
GET /unified/usage-metering/usage/confluent/meta/list
--- json_checks
/provider = "confluent"
/fields has ["id","product.id","metric_name","charges.amount","usage.quantity","start_date","end_date","remote_data"]
/query_parameters has ["start_date","end_date"]
/requests/0/path = "/billing/v1/costs"
/response_schema/properties/charges/items/properties/amount/type = "number"



=== TEST 11: meta of what the provider does not support: 404 naming both
--- request
GET /unified/usage-metering/workspaces/acme/meta/list
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"resource \"workspaces\" is not supported by provider \"acme\""}



=== TEST 12: meta of a get the provider does not have
--- request
GET /unified/usage-metering/usage/acme/meta/get
--- error_code: 404
--- response_body chomp
{"statusCode":404,"error":"Not Found","message":"resource \"usage\" (get by id) is not supported by provider \"acme\""}



=== TEST 13: meta of an unknown provider, resource or method
--- request eval
["GET /unified/usage-metering/usage/nope/meta/list",
 "GET /unified/usage-metering/spend/acme/meta/list",
 "GET /unified/usage-metering/usage/acme/meta/create"]
--- error_code eval
[404, 404, 404]
--- response_body eval
['{"statusCode":404,"error":"Not Found","message":"unknown provider \"nope\" (no mapping file defines it)"}',
 '{"statusCode":404,"error":"Not Found","message":"unknown resource \"spend\"; resources are organizations, products, usage, workspaces and users"}',
 '{"statusCode":404,"error":"Not Found","message":"unknown method \"create\"; methods are list and get"}']



=== TEST 14: meta needs no API key where keys are set
--- request
GET /keyed/api/usage/acme/meta/list
--- json_checks
/documentation_link = "/keyed/api/openapi.json#/paths/~1usage/get"
/provider = "acme"



=== TEST 15: only GET and HEAD
--- request eval
["POST /unified/usage-metering/openapi.json\nx=1",
 "DELETE /unified/usage-metering/usage/acme/meta/list"]
--- error_code eval
[405, 405]
--- response_headers eval
["Allow: GET, HEAD", "Allow: GET, HEAD"]
--- response_body eval
['{"statusCode":405,"error":"Method Not Allowed","message":"only GET and HEAD are allowed"}',
 '{"statusCode":405,"error":"Method Not Allowed","message":"only GET and HEAD are allowed"}']



=== TEST 16: HEAD: the headers of the document, its length, no body
--- request
HEAD /unified/usage-metering/openapi.json
--- response_headers_like
Content-Type: application/json
Content-Length: [1-9][0-9]{3,}
--- response_body chomp



=== TEST 17: other paths still reach the data endpoints
--- request eval
["GET /unified/usage-metering/usage/acme/meta",
 "GET /unified/usage-metering/usage/acme/meta/list/more",
 "GET /unified/usage-metering/openapi.json/x",
 "GET /unified/usage-metering/usage/acme/data/list"]
--- error_code eval
[400, 400, 404, 400]
--- response_body eval
['{"statusCode":400,"error":"Bad Request","message":"the id must not contain \\"/\\" or \\"\\\\\\""}',
 '{"statusCode":400,"error":"Bad Request","message":"the id must not contain \\"/\\" or \\"\\\\\\""}',
 '{"statusCode":404,"error":"Not Found","message":"unknown resource \\"openapi.json\\"; resources are organizations, products, usage, workspaces and users"}',
 '{"statusCode":400,"error":"Bad Request","message":"the id must not contain \\"/\\" or \\"\\\\\\""}']



=== TEST 18: no mappings at all: still a valid document, with no providers
--- http_config
--- request
GET /unified/usage-metering/openapi.json
--- json_checks
/paths/~1usage/get/x-providers = []
/paths/~1usage/get/x-provider-query-parameters = {}
/paths/~1{resource}~1{provider}~1meta~1{method}/get/parameters/1/schema = {"type":"string"}



=== TEST 19: a query string does not change the document
--- request
GET /unified/usage-metering/openapi.json?integrated_account_id=x&limit=oops
--- json_checks
/openapi = "3.1.0"
/paths/~1usage/get/x-providers = ["acme","beta","confluent"]
