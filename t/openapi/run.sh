#!/bin/sh
# Runs nginx.conf.example on free loopback ports (its sandbox included),
# with one more location that has an API key, and checks the OpenAPI
# document and the meta endpoints it serves (t/openapi/check.mjs).
#
#   t/openapi/run.sh <repository> <validator's index.js>

set -eu

repo=$1
validator=$2
run=$repo/build/openapi/run
nginx=${NGINX:-/usr/sbin/nginx}

free_port() {
    perl -MIO::Socket::INET -e \
        'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport'
}

api=$(free_port)
sandbox=$(free_port)

rm -rf "$run"
mkdir -p "$run/logs" "$run/tmp"

# the example as it is, but for its ports, its log directory, the two
# paths that nginx reads relative to the configuration file, and the keyed
# location
sed -e "s/127\.0\.0\.1:8080/127.0.0.1:$api/g" \
    -e "s/127\.0\.0\.1:8081/127.0.0.1:$sandbox/g" \
    -e "s#build/demo/#build/openapi/run/#g" \
    -e "s#^\([ ]*usage_metering_mappings[ ]*\)mappings;#\1$repo/mappings;#" \
    -e "s#^\([ ]*include[ ]*\)sandbox/#\1$repo/sandbox/#" \
    "$repo/nginx.conf.example" \
| perl -pe 's{^(\s*)location /unified/usage-metering/ \{}{$1location /keyed/usage-metering/ {\n$1    usage_metering;\n$1    usage_metering_api_key  openapi-validate-0123456789abcdef;\n$1}\n\n$1location /unified/usage-metering/ \{}' \
    > "$run/nginx.conf"

grep -q "location /keyed/usage-metering/" "$run/nginx.conf" || {
    echo "openapi-validate: no \"location /unified/usage-metering/\" in nginx.conf.example" >&2
    exit 1
}

"$nginx" -p "$repo/" -c "$run/nginx.conf" \
    -g "pid $run/nginx.pid; error_log $run/logs/error.log notice;"

stop() {
    if [ -f "$run/nginx.pid" ]; then
        kill -QUIT "$(cat "$run/nginx.pid")" 2>/dev/null || true
    fi
}

trap stop EXIT

node "$repo/t/openapi/check.mjs" "http://127.0.0.1:$api" "$validator"
