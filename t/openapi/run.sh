#!/bin/sh
# Runs nginx.conf.example on free loopback ports (its sandbox included),
# with one more location that has an API key, and checks the OpenAPI
# document and the meta endpoints it serves (t/openapi/check.mjs).
#
#   t/openapi/run.sh <repository> <validator's index.js>

set -eu

repo=$1
validator=$2

# the example, with one more location before its own: the same API with a
# key, so that the document served there is checked too

RUN_EXAMPLE_PERL='s{^(\s*)location /unified/usage-metering/ \{}{$1location /keyed/usage-metering/ {\n$1    usage_metering;\n$1    usage_metering_api_key  openapi-validate-0123456789abcdef;\n$1}\n\n$1location /unified/usage-metering/ \{}'
export RUN_EXAMPLE_PERL

exec "$repo/t/run-example.sh" "$repo" "$repo/build/openapi/run" sh -c '
    grep -q "location /keyed/usage-metering/" "$1/nginx.conf" || {
        echo "openapi-validate: no \"location /unified/usage-metering/\"" \
             "in nginx.conf.example" >&2
        exit 1
    }
    node "$2/t/openapi/check.mjs" "$4" "$3"
' sh "$repo/build/openapi/run" "$repo" "$validator"
