#!/bin/sh
# Runs the demo (`make demo`: nginx.conf.example with its sandbox
# providers) on free loopback ports instead of 8080 and 8081, so that it
# does not meet a demo already running, runs a command with the demo's base
# URL as its last argument, and stops the demo again.
#
#   t/run-example.sh <repository> <run directory> command [args...]
#
# The configuration, its logs and temporary files go to the run
# directory; the exit status is the command's.  RUN_EXAMPLE_PERL, when
# set, is a `perl -pe` program that changes the configuration further.

set -eu

repo=$1
run=$2
shift 2
nginx=${NGINX:-/usr/sbin/nginx}

free_port() {
    perl -MIO::Socket::INET -e \
        'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport'
}

api=$(free_port)
sandbox=$(free_port)
while [ "$sandbox" = "$api" ]; do sandbox=$(free_port); done

rm -rf "$run"
mkdir -p "$run/logs" "$run/tmp"

# the example as it is, but for its ports, its log and temporary files, and
# the two paths that nginx reads relative to the configuration file
rel=${run#"$repo"/}
sed -e "s/127\.0\.0\.1:8080/127.0.0.1:$api/g" \
    -e "s/127\.0\.0\.1:8081/127.0.0.1:$sandbox/g" \
    -e "s#build/demo/#$rel/#g" \
    -e "s#^\([ ]*usage_metering_mappings[ ]*\)mappings;#\1$repo/mappings;#" \
    -e "s#^\([ ]*include[ ]*\)sandbox/#\1$repo/sandbox/#" \
    "$repo/nginx.conf.example" \
| perl -pe "${RUN_EXAMPLE_PERL:-}" > "$run/nginx.conf"

"$nginx" -p "$repo/" -c "$run/nginx.conf" \
    -g "pid $run/nginx.pid; error_log $run/logs/error.log notice;"

stop() {
    if [ -f "$run/nginx.pid" ]; then
        kill -QUIT "$(cat "$run/nginx.pid")" 2>/dev/null || true
    fi
}
trap stop EXIT

# nginx daemonizes once it listens; give the workers a moment all the same
i=0
until perl -MIO::Socket::INET -e \
        "exit !IO::Socket::INET->new(PeerAddr => '127.0.0.1:$api')" \
        2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 50 ] || { echo "$0: nginx not listening on $api" >&2; exit 1; }
    sleep 0.1
done

status=0
"$@" "http://127.0.0.1:$api" || status=$?
if [ $status != 0 ]; then
    echo "# the demo's error log ($run/logs/error.log):"
    grep -v '\[notice\]' "$run/logs/error.log" | tail -20 | sed 's/^/#   /'
fi
exit $status
