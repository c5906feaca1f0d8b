#!/bin/bash
# make bench-callgrind: instructions per request of one contender, counted
# by valgrind's callgrind (deterministic, unlike req/s on a shared machine).
#
#   bench/callgrind.sh [CONTENDER [ROWS [REQUESTS]]]
#       CONTENDER  module (default) or proxy
#       ROWS       20 or 500 (default 500)
#       REQUESTS   requests counted, after 5 uncounted ones (default 20)
#
# The contender runs in one process (master_process off) under callgrind,
# the mock provider as its own nginx instance outside it; the counters are
# zeroed after the warm-up requests, so the figure is the request path
# only.  Prints Ir per request and the top functions (inclusive and self);
# the profile stays in $BENCH_WORK/callgrind/ for callgrind_annotate or
# kcachegrind.  Ports 18091-18092 on 127.0.0.1.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
WORK=${BENCH_WORK:-$REPO/build/bench}
case $WORK in /*) ;; *) WORK=$REPO/$WORK ;; esac
DATA=$WORK/data
OUT=$WORK/callgrind
NGINX=${NGINX:-/usr/sbin/nginx}

C=${1:-module}
N_ROWS=${2:-500}
N_REQ=${3:-20}
MOCK_PORT=18091
PORT=18092
API=/unified/usage-metering/usage

case $C in module|proxy) ;; *) echo "contender: module or proxy" >&2; exit 1 ;; esac
command -v valgrind >/dev/null || { echo "valgrind is missing" >&2; exit 1; }

bash "$BENCH/run.sh" --data-only

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

render() {                      # NAME PORT
    local dir=$OUT/$1 f
    rm -rf "$dir"
    mkdir -p "$dir/conf" "$dir/tmp"
    for f in "$BENCH"/conf/*; do
        sed -e "s|@CONF@|$dir/conf|g; s|@DIR@|$dir|g; s|@PORT@|$2|g" \
            -e "s|@MOCK_PORT@|$MOCK_PORT|g; s|@NODE_PORT@|0|g" \
            -e "s|@REPO@|$REPO|g; s|@DATA@|$DATA|g; s|@BENCH@|$BENCH|g" \
            -e "s|^\( *usage_metering_max_pages .*\)#@OPTIONAL@|\1|" \
            "$f" > "$dir/conf/${f##*/}"
    done
}

wait_port() {
    local i
    for i in $(seq 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    exit 1
}

mkdir -p "$OUT"
render mock "$MOCK_PORT"
"$NGINX" -p "$OUT/mock/" -c "$OUT/mock/conf/mock.conf" -e "$OUT/mock/error.log" &
PIDS+=($!)
wait_port "$MOCK_PORT"

render "$C" "$PORT"
prof=$OUT/callgrind.out.$C-$N_ROWS
rm -f "$prof" "$prof".*
valgrind --tool=callgrind --callgrind-out-file="$prof" \
    "$NGINX" -p "$OUT/$C/" -c "$OUT/$C/conf/$C.conf" -e "$OUT/$C/error.log" \
    -g "master_process off;" > "$OUT/$C/valgrind.log" 2>&1 &
vg=$!
PIDS+=($vg)
wait_port "$PORT"

url="http://127.0.0.1:$PORT$API?integrated_account_id=acc-$N_ROWS"
for i in 1 2 3 4 5; do curl -s -o /dev/null "$url"; done
callgrind_control -z "$vg" > /dev/null
for i in $(seq "$N_REQ"); do
    code=$(curl -s -o "$OUT/answer-$C-$N_ROWS.json" -w '%{http_code}' "$url")
    [ "$code" = 200 ] || { echo "HTTP $code from $C" >&2; exit 1; }
done
callgrind_control -d "$vg" > /dev/null
sleep 0.5

# the last dump is the one after the zeroing
dump=$(ls -t "$prof".* 2>/dev/null | head -1)
[ -n "$dump" ] || { echo "no callgrind dump" >&2; exit 1; }
total=$(callgrind_annotate "$dump" 2>/dev/null \
        | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
printf '%s, %s-row page: %s Ir per request (%s requests; %s)\n' "$C" \
    "$N_ROWS" "$(awk -v t="$total" -v n="$N_REQ" 'BEGIN { printf "%.0f", t / n }')" \
    "$N_REQ" "$dump"
top=${CALLGRIND_TOP:-25}
if [ "$top" != 0 ]; then
    echo "--- inclusive"
    callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$dump" \
        2>/dev/null | sed -n '/file:function/,$p' | sed -n "3,$((top + 2))p"
    echo "--- self"
    callgrind_annotate --threshold=100 --auto=no "$dump" 2>/dev/null \
        | sed -n '/file:function/,$p' | sed -n "3,$((top + 2))p"
fi
