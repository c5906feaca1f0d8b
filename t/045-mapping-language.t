# The mapping language on a test provider: rows from nested arrays, groups
# and several templates, joins, defaults, errors inside 2xx answers, and
# mappings overridden by a later directory without any C change.

use Test::Nginx::Socket 'no_plan';

# the CPAN Test::Nginx does not set $TEST_NGINX_HTML_DIR: a test file that
# uses it sets it itself
$ENV{TEST_NGINX_HTML_DIR} = html_dir();

our $Files = <<'_EOC_';
>>> maps/lang.json
{
  "provider": "lang",
  "account": { "params": ["org"] },
  "errors": { "when": "$exists(error)", "message": "error.message" },
  "resources": {
    "usage": {
      "list": {
        "defaults": { "date": "'2024-01-15'" },
        "request": { "path": "/orgs/{$account.org}/buckets", "query": { "day": "$query.date" } },
        "records": "data",
        "rows": [
          {
            "each": "results",
            "remote_data": "element",
            "row": {
              "id": "$record.start & '/' & model",
              "model": { "id": "model", "provider": "'openai'" },
              "user": { "id": "user_id" },
              "usage": { "tokens": { "input": "input_tokens", "output": "output_tokens" } },
              "start_date": "$toIso($record.start * 1000)"
            }
          }
        ]
      }
    },
    "products": {
      "list": {
        "request": { "path": "/charges" },
        "records": "orgs",
        "rows": [
          {
            "each": "charges",
            "group_by": "product",
            "row": {
              "id": "$record.org & ':' & product",
              "product": { "id": "product" },
              "charges": "$group.{ 'amount': cost, 'currency': 'USD', 'type': type }"
            }
          }
        ]
      }
    },
    "users": {
      "list": {
        "request": { "path": "/activity" },
        "records": "data",
        "rows": [
          {
            "when": "chat.messages > 0",
            "row": { "id": "user & ':chat'", "surface": "'chat'", "usage": { "requests": { "chat": "chat.messages" } } }
          },
          {
            "when": "code.sessions > 0",
            "row": { "id": "user & ':code'", "surface": "'claude_code'", "usage": { "sessions": { "distinct": "code.sessions" } } }
          }
        ]
      }
    },
    "workspaces": {
      "list": {
        "request": { "path": "/broken" },
        "records": "data",
        "row": { "id": "id" }
      }
    }
  }
}
>>> maps/join.json
{
  "provider": "joined",
  "resources": {
    "usage": {
      "list": {
        "request": { "path": "/orgs/o1/buckets" },
        "join": {
          "people": { "request": { "path": "/people" }, "records": "data", "key": "id" }
        },
        "records": "data",
        "rows": [
          {
            "each": "results",
            "row": {
              "id": "model & ':' & user_id",
              "user": { "id": "user_id", "email": "$lookup($people, user_id).email", "name": "$lookup($people, user_id).name" }
            }
          }
        ]
      }
    }
  }
}
>>> extra/confluent.json
{
  "provider": "confluent",
  "resources": {
    "usage": {
      "list": {
        "row": {
          "price": "price",
          "tier": "tier_dimensions.region",
          "metric_name": null
        }
      }
    }
  }
}
_EOC_

our $HttpConfig = <<'_EOC_';
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/maps;
    usage_metering_account   l-1 provider=lang upstream=/_um/l org=o1;
    usage_metering_account   j-1 provider=joined upstream=/_um/l;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/json;

        location = /orgs/o1/buckets {
            return 200 '{"data":[{"start":1705276800,"results":[{"model":"gpt-5","user_id":"u1","input_tokens":10,"output_tokens":2.0},{"model":"gpt-5","user_id":"u2","input_tokens":7}]},{"start":1705363200,"results":[]}],"day":"$arg_day"}';
        }

        location = /people {
            return 200 '{"data":[{"id":"u1","email":"one@example.com","name":"One"},{"id":"u3","email":"three@example.com"}]}';
        }

        location = /charges {
            return 200 '{"orgs":[{"org":"acme","charges":[{"product":"logs","type":"committed","cost":0},{"product":"apm","type":"on_demand","cost":72.5},{"product":"logs","type":"on_demand","cost":3}]}]}';
        }

        location = /activity {
            return 200 '{"data":[{"user":"a","chat":{"messages":4},"code":{"sessions":0}},{"user":"b","chat":{"messages":0},"code":{"sessions":2}},{"user":"c","chat":{"messages":1},"code":{"sessions":3}}]}';
        }

        location = /broken {
            return 200 '{"error":{"message":"quota exhausted for today"}}';
        }

        location = /billing/v1/costs {
            return 200 '{"data":[{"id":"c1","product":"KAFKA","line_type":"KAFKA_BASE","price":2.25,"tier_dimensions":{"region":"eu-west-1"},"start_date":"2024-03-01","end_date":"2024-03-02"}]}';
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location /unified/usage-metering/ {
        usage_metering;
    }

    location /_um/l/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
        proxy_pass_request_headers off;
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

=== TEST 1: one row per element of a nested array; remote_data is the element's own bytes
--- request
GET /unified/usage-metering/usage?integrated_account_id=l-1
--- response_body chomp
{"result":[{"id":"1705276800/gpt-5","model":{"id":"gpt-5","provider":"openai"},"user":{"id":"u1"},"usage":{"tokens":{"input":10,"output":2}},"start_date":"2024-01-15T00:00:00.000Z","remote_data":{"model":"gpt-5","user_id":"u1","input_tokens":10,"output_tokens":2.0}},{"id":"1705276800/gpt-5","model":{"id":"gpt-5","provider":"openai"},"user":{"id":"u2"},"usage":{"tokens":{"input":7}},"start_date":"2024-01-15T00:00:00.000Z","remote_data":{"model":"gpt-5","user_id":"u2","input_tokens":7}}],"next_cursor":null,"result_count":2}
--- error_log
usage_metering: call GET /_um/l/orgs/o1/buckets?day=2024-01-15



=== TEST 2: defaults fill only what the client did not give
--- request
GET /unified/usage-metering/usage?integrated_account_id=l-1&date=2024-02-01&truto_ignore_remote_data=true
--- response_body_like: ^\{"result":\[\{"id":"1705276800/gpt-5",
--- error_log
usage_metering: call GET /_um/l/orgs/o1/buckets?day=2024-02-01



=== TEST 3: a join: another endpoint fetched with the page, read with $lookup
--- request
GET /unified/usage-metering/usage?integrated_account_id=j-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"gpt-5:u1","user":{"id":"u1","email":"one@example.com","name":"One"}},{"id":"gpt-5:u2","user":{"id":"u2"}}],"next_cursor":null,"result_count":2}
--- error_log eval
[qr/usage_metering: round of 2 calls in \d+ ms/]



=== TEST 4: rows grouped by a key within a record
--- request
GET /unified/usage-metering/products?integrated_account_id=l-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"acme:logs","product":{"id":"logs"},"charges":[{"amount":0,"currency":"USD","type":"committed"},{"amount":3,"currency":"USD","type":"on_demand"}]},{"id":"acme:apm","product":{"id":"apm"},"charges":{"amount":72.5,"currency":"USD","type":"on_demand"}}],"next_cursor":null,"result_count":2}



=== TEST 5: several row templates per record, each when it applies
--- request
GET /unified/usage-metering/users?integrated_account_id=l-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"a:chat","surface":"chat","usage":{"requests":{"chat":4}}},{"id":"b:code","surface":"claude_code","usage":{"sessions":{"distinct":2}}},{"id":"c:chat","surface":"chat","usage":{"requests":{"chat":1}}},{"id":"c:code","surface":"claude_code","usage":{"sessions":{"distinct":3}}}],"next_cursor":null,"result_count":4}



=== TEST 6: a 2xx answer the mapping recognises as an error
--- request
GET /unified/usage-metering/workspaces?integrated_account_id=l-1
--- error_code: 502
--- response_body chomp
{"statusCode":502,"error":"Bad Gateway","message":"quota exhausted for today","truto_is_remote_error":true,"raw_response":{"error":{"message":"quota exhausted for today"}}}
--- error_log
the provider answered 200 with an error in its body



=== TEST 7: a later mappings directory adds and removes fields, no C change
--- http_config eval
$::HttpConfig =~ s{(usage_metering_mappings  \$TEST_NGINX_HTML_DIR/maps;)}{$1\n    usage_metering_mappings \$TEST_NGINX_MAPPINGS;\n    usage_metering_mappings \$TEST_NGINX_HTML_DIR/extra;\n    usage_metering_account c-1 provider=confluent upstream=/_um/l;}r
--- request
GET /unified/usage-metering/usage?integrated_account_id=c-1&truto_ignore_remote_data=true
--- response_body chomp
{"result":[{"id":"c1","product":{"id":"KAFKA"},"start_date":"2024-03-01T00:00:00.000Z","end_date":"2024-03-02T00:00:00.000Z","price":2.25,"tier":"eu-west-1"}],"next_cursor":null,"result_count":1}



=== TEST 8: an error in an override names the override file
--- http_config
    usage_metering_mappings  $TEST_NGINX_MAPPINGS;
    usage_metering_mappings  $TEST_NGINX_HTML_DIR/extra;
--- config
--- user_files
>>> extra/confluent.json
{
  "provider": "confluent",
  "resources": { "usage": { "list": { "row": {
    "price": "price +"
  } } } }
}
--- must_die
--- error_log eval
qr{\[emerg\] .*extra/confluent\.json:4:22: resources\.usage\.list\.row\.price: }



=== TEST 9: the required account parameter is a path part; escaped like any
--- http_config eval
$::HttpConfig =~ s{org=o1}{org=o/1}r
--- request
GET /unified/usage-metering/usage?integrated_account_id=l-1
--- error_code: 400
--- response_body chomp
{"statusCode":400,"error":"Bad Request","message":"a path segment contains \"/\", \"\\\" or a control character"}
