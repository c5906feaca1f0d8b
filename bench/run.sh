#!/bin/bash
# make bench: the module against plain proxy_pass and against its peers
# (lua-nginx-module + lua-cjson, njs, Node.js + JSONata), all in one run on
# this machine, plus the stream and fairness targets.  BENCHMARKS.md says
# what is measured and how; this script is the method.
#
#   bench/run.sh              the whole benchmark (make bench)
#   bench/run.sh --soak       only the soak (make soak)
#   bench/run.sh --data-only  only generate the mock provider's pages
#
# Knobs (environment; bench/bench.mk passes them through):
#   BENCH_DURATION=10      seconds of each timed wrk run
#   BENCH_WARMUP=2         seconds of the untimed wrk run before it
#   BENCH_THREADS=2 BENCH_CONNECTIONS=16
#   BENCH_CONTENDERS="proxy module lua njs node"   (proxy and module always run)
#   BENCH_WORK=build/bench work dir (data, configs, logs, the report)
#   BENCH_UPDATE_DOC=1     write the results into BENCHMARKS.md
#   BENCH_STRICT=0         1: exit 1 when a target FAILs
#   BENCH_ALLOW_MISMATCH=0 1: time the contenders even if their answers differ
#   BENCH_STREAM_ACCEPT=application/x-ndjson   (or application/json: the
#                          chunked JSON envelope) for the stream targets
#   BENCH_SOAK=0           1: the soak after the benchmark
#   BENCH_SOAK_SECONDS=600 length of the soak
#
# Every process this script starts is recorded and stopped on exit,
# including on an error or Ctrl-C (see cleanup).  Ports 18081-18089 on
# 127.0.0.1 only.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
WORK=${BENCH_WORK:-$REPO/build/bench}
case $WORK in /*) ;; *) WORK=$REPO/$WORK ;; esac
DATA=$WORK/data
RUN=$WORK/run
NGINX=${NGINX:-/usr/sbin/nginx}
MODULE_SO=$REPO/objs/ngx_http_usage_metering_module.so

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-16}
CONTENDERS=${BENCH_CONTENDERS:-proxy module lua njs node}
UPDATE_DOC=${BENCH_UPDATE_DOC:-1}
STRICT=${BENCH_STRICT:-0}
ALLOW_MISMATCH=${BENCH_ALLOW_MISMATCH:-0}

STREAM_ACCEPT=${BENCH_STREAM_ACCEPT:-application/x-ndjson}

SIZES="20 500"                  # rows per page of the throughput runs
STREAM_PAGES=200                # 200 pages x 1,000 rows = 200,000 rows
STREAM_ROWS=1000
BIG_BYTES=$((50 * 1024 * 1024)) # the fairness page

MOCK_PORT=18081
NODE_PORT=18087                 # the Node.js service behind contender "node"
declare -A PORT=([proxy]=18082 [module]=18083 [lua]=18084 [njs]=18085
                 [node]=18086 [stream]=18088)
declare -A LABEL=(
    [proxy]="proxy (plain proxy_pass)"
    [module]="module (usage_metering)"
    [lua]="lua (lua-nginx-module + lua-cjson)"
    [njs]="njs (r.subrequest + JSON)"
    [node]="node (Node.js + JSONata service)")

API=/unified/usage-metering/usage

say()  { printf '%s\n' "$*" >&2; }
die()  { say "bench: $*"; exit 1; }

# ---------------------------------------------------------------------------
# processes: everything started is in PIDS and is stopped by cleanup

PIDS=()

stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do               # 5 s for a graceful exit
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

CHILD=""                        # the wrk run in progress, see run_fg

cleanup() {
    local pid
    trap - EXIT INT TERM
    [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
}
trap cleanup EXIT
trap 'say "bench: interrupted"; exit 130' INT TERM

# A run that was killed hard (kill -9, a lost terminal) leaves its nginx
# instances and node behind; their pid files are under our work dir, and a
# pid is only ours if its command line names that work dir (or our node
# script).
stop_leftovers() {
    local f pid
    for f in "$RUN"/*/nginx.pid "$RUN"/node.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null) || continue
        if [ -n "$pid" ] && { grep -qa "$RUN" "/proc/$pid/cmdline" \
                || grep -qa "$BENCH/peers/node/server.js" "/proc/$pid/cmdline"
             } 2>/dev/null
        then
            say "stopping a leftover process of an earlier run ($pid)"
            kill -TERM "$pid" 2>/dev/null || true
            sleep 0.5
        fi
        rm -f "$f"
    done
}

# A foreground command that handles SIGINT itself (wrk stops and prints
# its results) makes bash skip our INT trap and carry on.  Run it in the
# background and `wait`, which the trap does interrupt; cleanup stops it.
run_fg() {
    local rc=0
    "$@" &
    CHILD=$!
    wait "$CHILD" || rc=$?
    CHILD=""
    return "$rc"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {                   # PORT PID LOG
    local i
    for i in $(seq 100); do
        port_busy "$1" && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.05
    done
    say "bench: nothing listens on 127.0.0.1:$1; the end of $3:"
    tail -n 20 "$3" >&2 || true
    exit 1
}

# render bench/conf/* for instance NAME on PORT into $RUN/NAME/conf
render() {
    local name=$1 port=$2 dir=$RUN/$1 f
    rm -rf "$dir"
    mkdir -p "$dir/conf" "$dir/tmp"
    for f in "$BENCH"/conf/*; do
        sed -e "s|@CONF@|$dir/conf|g; s|@DIR@|$dir|g; s|@PORT@|$port|g" \
            -e "s|@MOCK_PORT@|$MOCK_PORT|g; s|@NODE_PORT@|$NODE_PORT|g" \
            -e "s|@REPO@|$REPO|g; s|@DATA@|$DATA|g; s|@BENCH@|$BENCH|g" \
            "$f" > "$dir/conf/${f##*/}"
    done
}

# The module's directives for the later features (usage_metering_max_pages,
# ...) are marked #@OPTIONAL@ in conf/module.conf: a build that does not
# know one yet fails `nginx -t` on it, so the line is dropped and noted.
drop_unknown_optional() {       # CONF_FILE
    local conf=$1 out d i
    for i in 1 2 3 4 5; do
        if out=$("$NGINX" -t -q -c "$conf" -e /dev/stderr 2>&1); then
            return 0
        fi
        d=$(sed -n 's/.*unknown directive "\([a-z_]*\)".*/\1/p' <<<"$out" | head -1)
        if [ -n "$d" ] && grep -q "^ *$d .*#@OPTIONAL@" "$conf"; then
            sed -i "/^ *$d .*#@OPTIONAL@/d" "$conf"
            NOTES+=("this build of the module does not know \`$d\` yet: left out of the config")
            continue
        fi
        say "bench: nginx -t fails on $conf:"
        say "$out"
        exit 1
    done
}

start_nginx() {                 # NAME TEMPLATE PORT
    local name=$1 tpl=$2 port=$3 dir=$RUN/$1 pid
    port_busy "$port" && die "127.0.0.1:$port is in use (another bench run?)"
    render "$name" "$port"
    [ "$tpl" = module ] && drop_unknown_optional "$dir/conf/module.conf"
    "$NGINX" -p "$dir/" -c "$dir/conf/$tpl.conf" -e "$dir/error.log" \
        > "$dir/stdout.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_port "$port" "$pid" "$dir/error.log"
    echo "$pid" > "$dir/master.pid"
}

stop_instance() {               # NAME
    local pid
    pid=$(cat "$RUN/$1/master.pid")
    stop_pid "$pid"
}

worker_pid() {                  # the one worker of instance NAME
    local master
    master=$(cat "$RUN/$1/master.pid")
    ps -o pid= --ppid "$master" | head -1 | tr -d ' '
}

# ---------------------------------------------------------------------------
# the mock provider's data, regenerated only when the generator changes

gen_data() {
    local key
    key="$(sha256sum "$BENCH/gen-costs.pl" | cut -c1-16) $STREAM_PAGES $STREAM_ROWS $BIG_BYTES soak1"
    if [ "$(cat "$DATA/.stamp" 2>/dev/null)" = "$key" ]; then
        return 0
    fi
    say "generating the mock provider's pages in $DATA (once) ..."
    rm -rf "$DATA"
    mkdir -p "$DATA/pages"
    for n in $SIZES; do
        perl "$BENCH/gen-costs.pl" --rows "$n" --seed 1 > "$DATA/costs-$n.json"
    done
    # as many rows as make ~50 MB, at the 500-row page's bytes per row
    local size500 rows
    size500=$(stat -c %s "$DATA/costs-500.json")
    rows=$((BIG_BYTES * 500 / size500))
    perl "$BENCH/gen-costs.pl" --rows "$rows" --seed 2 > "$DATA/costs-big.json"
    perl "$BENCH/gen-costs.pl" --rows "$STREAM_ROWS" --pages "$STREAM_PAGES" \
        --seed 3 --dir "$DATA/pages"
    # the soak's paginated account: 4 pages of 50 rows
    mkdir -p "$DATA/spages"
    perl "$BENCH/gen-costs.pl" --rows 50 --pages 4 --seed 4 --dir "$DATA/spages"
    echo "$key" > "$DATA/.stamp"
}

# ---------------------------------------------------------------------------
# formatting

fmt_int() {                     # 16900.4 -> 16,900
    printf '%.0f' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
kb() { awk -v b="$1" 'BEGIN { printf "%.0f KB", b / 1024 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "n/a" && a + 0 >= b + 0) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'; }

# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# the soak (run.sh --soak, make soak; or make bench BENCH_SOAK=1 after the
# benchmark): BENCH_SOAK_SECONDS of mixed traffic from bench/soak.lua on one
# module instance, its worker's VmRSS sampled every 5 s.  Results into
# BENCHMARKS.md between the soak markers.

SOAK_SECONDS=${BENCH_SOAK_SECONDS:-600}
SOAK_PORT=18089

update_doc() {                  # BEGIN_MARKER END_MARKER REPORT
    local doc=$REPO/BENCHMARKS.md
    if [ -f "$doc" ] && grep -q "^$1\$" "$doc" && grep -q "^$2\$" "$doc"; then
        perl -0pi -e '
            BEGIN { ($b, $e, $f) = splice @ARGV, 0, 3;
                    local $/; open my $h, "<", $f or die; $r = <$h> }
            s/(\Q$b\E\n).*?(\Q$e\E)/$1\n$r\n$2/s' "$1" "$2" "$3" "$doc"
    else
        { [ -f "$doc" ] && cat "$doc" || echo "# Benchmarks"
          echo; echo "$1"; echo; cat "$3"; echo; echo "$2"; } > "$doc.new"
        mv "$doc.new" "$doc"
    fi
}

cursor_of() {                   # URL -> the next_cursor of its answer
    curl -s "$1" | perl -ne 'print $1 if /"next_cursor":"([^"]+)"/'
}

run_soak() {
    local url wpid sampler t0 k v warm report
    local -A W=()

    say "soak: ${SOAK_SECONDS} s of mixed traffic (bench/soak.lua) on one module worker ..."
    port_busy "$MOCK_PORT" || start_nginx mock mock "$MOCK_PORT"
    start_nginx soak module "$SOAK_PORT"
    wpid=$(worker_pid soak)
    url="http://127.0.0.1:$SOAK_PORT"

    local c1 c2
    c1=$(cursor_of "$url$API?integrated_account_id=acc-500&limit=100")
    c2=$(cursor_of "$url$API?integrated_account_id=acc-soak")
    [ -n "$c1" ] && [ -n "$c2" ] || die "soak: no next_cursor from the module"

    # VmRSS every 5 s: seconds since the start, kB
    : > "$WORK/soak-rss.txt"
    t0=$(date +%s)
    ( while kill -0 "$wpid" 2>/dev/null; do
          printf '%s %s\n' "$(( $(date +%s) - t0 ))" \
              "$(awk '/^VmRSS/ { print $2 }' "/proc/$wpid/status" 2>/dev/null)"
          sleep 5
      done ) >> "$WORK/soak-rss.txt" &
    sampler=$!
    PIDS+=("$sampler")

    run_fg wrk -t"$THREADS" -c"$CONNS" -d"${SOAK_SECONDS}s" --timeout 30s \
        --latency -s "$BENCH/soak.lua" "$url" -- "$c1" "$c2" \
        > "$WORK/wrk-soak.txt" 2>&1 || die "wrk failed in the soak"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    printf '%s %s\n' "$(( $(date +%s) - t0 ))" \
        "$(awk '/^VmRSS/ { print $2 }' "/proc/$wpid/status")" >> "$WORK/soak-rss.txt"

    while IFS='=' read -r k v; do W[$k]=$v; done \
        < <(grep '^soak_' "$WORK/wrk-soak.txt")

    # warm-up: the first sixth of the run (at least 30 s)
    warm=$(( SOAK_SECONDS / 6 < 30 ? 30 : SOAK_SECONDS / 6 ))
    local rss_first rss_warm rss_max rss_last growth
    rss_first=$(awk 'NR == 1 { print $2 }' "$WORK/soak-rss.txt")
    rss_warm=$(awk -v w="$warm" '$1 >= w { print $2; exit }' "$WORK/soak-rss.txt")
    rss_max=$(awk -v w="$warm" '$1 >= w && $2 > m { m = $2 } END { print m + 0 }' "$WORK/soak-rss.txt")
    rss_last=$(tail -1 "$WORK/soak-rss.txt" | awk '{ print $2 }')
    growth=$(awk -v a="${rss_max:-0}" -v b="${rss_warm:-0}" 'BEGIN { printf "%.1f", (a - b) / 1024 }')

    local crashes errlines
    crashes=$(grep -c 'exited on signal\|\[alert\]\|\[emerg\]\|\[crit\]' "$RUN/soak/error.log" || true)
    errlines=$(grep -c '\[error\]' "$RUN/soak/error.log" || true)
    stop_instance soak

    local ok_status ok_rss verdict
    ok_status=$(pass eval '[ "${W[soak_unexpected]:-1}" = 0 ] && [ "${W[soak_bad_bodies]:-1}" = 0 ] && [ "${W[soak_other_statuses]:-1}" = 0 ] && [ "${W[soak_errors_timeout]:-1}" = 0 ] && [ "${W[soak_errors_read]:-1}" = 0 ] && [ "${W[soak_errors_connect]:-1}" = 0 ] && [ "$crashes" = 0 ] && [ "${W[soak_unanswered]:-99999}" -le "$CONNS" ]')
    ok_rss=$(pass lt "$growth" 4)

    report=$WORK/soak-report.md
    {
        echo "Soak of $(date -u '+%Y-%m-%d %H:%M UTC'), module at $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD -- src mappings 2>/dev/null || echo ' + uncommitted changes'), on the machine above."
        echo
        echo "\`wrk -t$THREADS -c$CONNS -d${SOAK_SECONDS}s -s bench/soak.lua\` against one module worker: $(fmt_int "${W[soak_requests]:-0}") requests"
        echo "($(awk -v n="${W[soak_requests]:-0}" -v s="$SOAK_SECONDS" 'BEGIN { printf "%.0f", n / s }') req/s), round robin over 21 kinds: unified 20 and 500 rows, normalized, raw, debug,"
        echo "stream (JSON envelope and NDJSON, 4 provider pages each), limit=100 with its next_cursor, a paginated"
        echo "account and the next_cursor of its second provider page, truto_key_by + truto_exclude_fields,"
        echo "truto_ignore_remote_data, two accounts in one list; errors: unknown account (404), limit=0, a bad date and"
        echo "a forged next_cursor (400), a provider 500 and a 2xx that is not JSON (502), an unknown resource (404)."
        echo "Latency p50 ${W[soak_latency_p50_ms]:-?} ms, p99 ${W[soak_latency_p99_ms]:-?} ms, max ${W[soak_latency_max_ms]:-?} ms."
        echo
        echo "| status | asked for | answered |"
        echo "|---|---:|---:|"
        for k in 200 400 404 500 502 503 504; do
            [ "${W[soak_asked_$k]:-0}" = 0 ] && [ "${W[soak_got_$k]:-0}" = 0 ] && continue
            echo "| $k | $(fmt_int "${W[soak_asked_$k]:-0}") | $(fmt_int "${W[soak_got_$k]:-0}") |"
        done
        echo
        echo "| check | measured | |"
        echo "|---|---|---|"
        echo "| no unexpected status, every body as its status says, no socket error or timeout, no worker crash | ${W[soak_unexpected]:-?} unexpected, ${W[soak_other_statuses]:-?} other statuses, ${W[soak_bad_bodies]:-?} bad bodies, ${W[soak_unanswered]:-?} in flight at the end, errors connect ${W[soak_errors_connect]:-?} / read ${W[soak_errors_read]:-?} / timeout ${W[soak_errors_timeout]:-?}, $crashes alert/crit lines ($errlines [error] lines: the provider errors asked for) | $ok_status |"
        echo "| worker RSS flat after warm-up (< 4 MB growth after the first ${warm} s) | $(kb $((rss_first * 1024))) at the start, $(kb $((rss_warm * 1024))) after warm-up, max $(kb $((rss_max * 1024))) after it, $(kb $((rss_last * 1024))) at the end: +$growth MB | $ok_rss |"
        [ -n "${W[soak_first_bad]:-}" ] && echo && echo "First bad body: \`${W[soak_first_bad]}\`"
        echo
        echo "RSS samples (s kB): $(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }' "$WORK/soak-rss.txt" | cut -c1-1500)"
    } > "$report"

    echo
    cat "$report"
    echo
    if [ "$UPDATE_DOC" = 1 ]; then
        update_doc '<!-- soak:begin -->' '<!-- soak:end -->' "$report"
        say "BENCHMARKS.md updated (soak)"
    fi
    [ "$ok_status" = PASS ] && [ "$ok_rss" = PASS ]
}

pass() { if "$@"; then echo PASS; else echo FAIL; fi; }

NOTES=()
# how busy the machine is without us (1 s of /proc/stat): anything else
# running on 2 cores shows in the req/s, the report says so
cpu_busy() {
    local a b
    a=$(head -1 /proc/stat); sleep 1; b=$(head -1 /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {
        n = split(a, x); split(b, y); t = 0
        for (i = 2; i <= 9 && i <= n; i++) t += y[i] - x[i]   # guest is in user
        idle = (y[5] - x[5]) + (y[6] - x[6])
        # (parenthesised: a bare ">" after printf is a redirection)
        printf "%.0f", (t > 0 ? 100 * (t - idle) / t : 0) }'
}
mkdir -p "$WORK" "$RUN"
gen_data
[ "${1:-}" = --data-only ] && exit 0
BUSY_START=$(cpu_busy)

command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk, or make bench-deps)"
[ -x "$NGINX" ] || die "$NGINX is missing"
[ -f "$MODULE_SO" ] || die "$MODULE_SO is missing: run make first"
stop_leftovers

if [ "${1:-}" = --soak ]; then
    run_soak
    exit $?
fi

# which contenders can run here; proxy and module always
RUNNING="proxy module"
for c in $CONTENDERS; do
    case $c in
    proxy|module) ;;
    lua)
        if [ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] \
           && [ -f /usr/lib/x86_64-linux-gnu/lua/5.1/cjson.so ]; then
            RUNNING+=" lua"
        else
            NOTES+=("lua skipped: libnginx-mod-http-lua or lua-cjson is not installed (make bench-deps)")
        fi ;;
    njs)
        if [ -f /usr/lib/nginx/modules/ngx_http_js_module.so ]; then
            RUNNING+=" njs"
        else
            NOTES+=("njs skipped: libnginx-mod-http-js is not installed (make bench-deps)")
        fi ;;
    node)
        # jsonata from npm into the work dir, again only when package.json changes
        if command -v node >/dev/null && command -v npm >/dev/null \
           && { cmp -s "$BENCH/peers/node/package.json" "$WORK/node/package.json" \
                 && [ -d "$WORK/node/node_modules/jsonata" ] \
                || { mkdir -p "$WORK/node" \
                     && cp "$BENCH/peers/node/package.json" "$WORK/node/" \
                     && say "installing jsonata from npm into $WORK/node ..." \
                     && npm install --prefix "$WORK/node" --no-audit --no-fund \
                            --loglevel=error >&2; }; }; then
            RUNNING+=" node"
        else
            NOTES+=("node skipped: node, npm or the jsonata package is not available")
        fi ;;
    *) die "unknown contender '$c' in BENCH_CONTENDERS" ;;
    esac
done

# --- start everything ------------------------------------------------------

say "starting the mock provider and the contenders ..."
start_nginx mock mock "$MOCK_PORT"
for c in $RUNNING; do
    if [ "$c" = node ]; then
        port_busy "$NODE_PORT" && die "127.0.0.1:$NODE_PORT is in use"
        mkdir -p "$RUN"
        NODE_PATH="$WORK/node/node_modules" \
            node "$BENCH/peers/node/server.js" "$NODE_PORT" "$MOCK_PORT" \
            > "$RUN/node.log" 2>&1 &
        PIDS+=("$!")
        echo "$!" > "$RUN/node.pid"
        wait_port "$NODE_PORT" "$!" "$RUN/node.log"
    fi
    start_nginx "$c" "$c" "${PORT[$c]}"
done

# --- correctness guard -----------------------------------------------------

say "checking that every contender answers the same JSON ..."
mkdir -p "$WORK/answers"
declare -A ANSWER_BYTES=() BAD=()
GUARD_OK=1
GUARD_LOG=()
for n in $SIZES; do
    args=()
    for c in $RUNNING; do
        f=$WORK/answers/$c-$n.json
        code=$(curl -s -o "$f" -w '%{http_code}' \
               "http://127.0.0.1:${PORT[$c]}$API?integrated_account_id=acc-$n") || code=000
        ANSWER_BYTES[$c,$n]=$(stat -c %s "$f" 2>/dev/null || echo 0)
        if [ "$c" = proxy ]; then
            # the limit passes the provider's page through, byte for byte
            if [ "$code" = 200 ] && cmp -s "$f" "$DATA/costs-$n.json"; then
                GUARD_LOG+=("  ok       proxy   $n-row page passed through unchanged")
            else
                GUARD_LOG+=("  MISMATCH proxy   HTTP $code, or not the provider's page")
                BAD[$c]=1
            fi
        elif [ "$code" != 200 ]; then
            GUARD_LOG+=("  MISMATCH $c HTTP $code: $(head -c 200 "$f")")
            BAD[$c]=1
        else
            args+=("$c=$f")
        fi
    done
    if [ ${#args[@]} -gt 0 ]; then
        out=$(perl "$BENCH/check.pl" "$DATA/costs-$n.json" "${args[@]}") || true
        while IFS= read -r line; do
            if [[ $line == *MISMATCH* ]]; then
                GUARD_LOG+=("$line  [$n-row page]")
                BAD[$(awk '{print $2}' <<<"$line")]=1
            else
                GUARD_LOG+=("$line")
                if [[ $line == *"in the last bit"* ]]; then
                    ulp=${line#*reference mapping (}
                    NOTES+=("$(awk '{print $2}' <<<"$line"), $n-row page: ${ulp%)}; accepted, its JSON.parse is not correctly rounded (BENCHMARKS.md)")
                fi
            fi
        done <<<"$out"
    fi
done
printf '%s\n' "${GUARD_LOG[@]}" >&2
if [ ${#BAD[@]} -gt 0 ]; then
    GUARD_OK=0
    say ""
    say "bench: FAILURE: ${!BAD[*]} did not answer the same JSON as the reference"
    say "       mapping (answers in $WORK/answers); the req/s would not compare the"
    say "       same work.  BENCH_ALLOW_MISMATCH=1 times them anyway."
    [ "$ALLOW_MISMATCH" = 1 ] || exit 1
fi

# --- throughput ------------------------------------------------------------

declare -A RPS=() P99=() ERRS=()
run_wrk() {                     # CONTENDER ROWS
    local c=$1 n=$2 url out rps p99 non2xx sock
    url="http://127.0.0.1:${PORT[$c]}$API?integrated_account_id=acc-$n"
    # wrk's default 2 s timeout would drop the slow peers' answers from the
    # count (node needs ~2 s for a 500-row page under 16 connections)
    run_fg wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 30s "$url" \
        > /dev/null || die "wrk failed against $c ($url)"
    run_fg wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 30s --latency \
        "$url" > "$WORK/wrk-$c-$n.txt" || die "wrk failed against $c ($url)"
    out=$(cat "$WORK/wrk-$c-$n.txt")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
    sock=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' <<<"$out")
    RPS[$c,$n]=${rps:-0}
    P99[$c,$n]=${p99:-?}
    ERRS[$c,$n]=""
    [ -n "$non2xx" ] && ERRS[$c,$n]="$non2xx non-2xx"
    [ -n "$sock" ] && ERRS[$c,$n]="${ERRS[$c,$n]:+${ERRS[$c,$n]}, }socket errors: $sock"
    printf '  %-7s %3s rows: %10s req/s  p99 %-8s %s\n' "$c" "$n" \
        "$(fmt_int "${RPS[$c,$n]}")" "${P99[$c,$n]}" "${ERRS[$c,$n]}" >&2
}

say "wrk -t$THREADS -c$CONNS -d${DURATION}s (after ${WARMUP}s of warm-up), one contender at a time ..."
for n in $SIZES; do
    for c in $RUNNING; do
        run_wrk "$c" "$n"
    done
done

# the idle contenders are not needed any more: the stream and fairness
# runs get the machine to themselves
for c in $RUNNING; do
    stop_instance "$c"
done

# --- stream: 200,000 rows ----------------------------------------------------

say "stream: $((STREAM_PAGES * STREAM_ROWS)) rows in $STREAM_PAGES provider pages, Accept: $STREAM_ACCEPT ..."
start_nginx stream module "${PORT[stream]}"
wpid=$(worker_pid stream)
# one small request first, so that the baseline is a worker that has
# served (its lazily touched pages are in), as in production
curl -s -o /dev/null "http://127.0.0.1:${PORT[stream]}$API?integrated_account_id=acc-20"
sleep 0.2
: > "$RUN/mock/pages.log"      # from here on, only the stream's pages
declare -A S=()
while IFS='=' read -r k v; do S[$k]=$v; done < <(
    perl "$BENCH/client.pl" stream "${PORT[stream]}" \
        "$API?integrated_account_id=acc-stream&truto_response_format=stream" \
        "$STREAM_ACCEPT" "$wpid")
sleep 0.2                       # the mock writes its log line after the send
read -r first_end first_rt _ < <(head -1 "$RUN/mock/pages.log") || true
provider_pages=$(wc -l < "$RUN/mock/pages.log")
stream_rows=${S[rows]:-0}
rss_growth_mb=$(awk -v a="${S[rss_peak_kb]:-0}" -v b="${S[rss_before_kb]:-0}" \
                'BEGIN { printf "%.1f", (a - b) / 1024 }')
stream_secs=$(awk -v a="${S[t_end]:-0}" -v b="${S[t_send]:-0}" 'BEGIN { printf "%.2f", a - b }')
if [ -n "${first_end:-}" ] && [ "${S[t_first]:-0}" != 0.000000 ]; then
    # both clocks are this machine's CLOCK_REALTIME; nginx's to the ms
    ttfb_after_page=$(awk -v c="${S[t_first]}" -v e="$first_end" \
                      'BEGIN { printf "%.1f", (c - e) * 1000 }')
    ttfb_after_req=$(awk -v c="${S[t_first]}" -v e="$first_end" -v rt="$first_rt" \
                     'BEGIN { printf "%.1f", (c - (e - rt)) * 1000 }')
else
    ttfb_after_page=""
    ttfb_after_req=""
fi
stream_complete=0
[ "${S[status]:-0}" = 200 ] && [ "$stream_rows" = $((STREAM_PAGES * STREAM_ROWS)) ] \
    && stream_complete=1
say "  HTTP ${S[status]:-?}, $stream_rows rows, $(kb "${S[bytes]:-0}") in ${stream_secs}s," \
    "$provider_pages provider pages; worker VmRSS ${S[rss_before_kb]:-?} kB -> peak" \
    "${S[rss_peak_kb]:-?} kB (+$rss_growth_mb MB); first row ${ttfb_after_page:-?} ms" \
    "after the first provider page was sent"

# --- fairness: a small request while a 50 MB page is mapped -----------------

say "fairness: 20-row requests while the same worker maps a $(kb "$(stat -c %s "$DATA/costs-big.json")") page ..."
declare -A F=()
while IFS='=' read -r k v; do F[$k]=$v; done < <(
    perl "$BENCH/client.pl" fairness "${PORT[stream]}" \
        "$API?integrated_account_id=acc-big" "$API?integrated_account_id=acc-20")
say "  big: HTTP ${F[big_status]:-?}, $(kb "${F[big_bytes]:-0}") in ${F[big_seconds]:-?}s;" \
    "small: ${F[small_n]:-0} requests, p50 ${F[small_p50_ms]:-?} ms, max" \
    "${F[small_max_ms]:-?} ms (idle p50 ${F[baseline_p50_ms]:-?} ms)"
stop_instance stream

# --- engine micro-benchmark, when the lead's program exists -----------------

ENGINE_OUT=""
if [ -x "$WORK/engine_bench" ]; then
    say "engine micro-benchmark: $WORK/engine_bench ${BENCH_ENGINE_ARGS:-}"
    # shellcheck disable=SC2086
    ENGINE_OUT=$(cd "$REPO" && "$WORK/engine_bench" ${BENCH_ENGINE_ARGS:-} \
                 "$DATA/costs-20.json" "$DATA/costs-500.json" 2>&1 \
                 | sed "s|$DATA/||" | head -20) || true
fi

# --- instructions per request, counted by callgrind ---------------------------
# (deterministic where req/s depend on what else runs on the machine)

declare -A IR=()
if [ "${BENCH_CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
    say "callgrind: instructions per request of proxy and module (5 requests each) ..."
    for n in $SIZES; do
        for c in proxy module; do
            IR[$c,$n]=$(CALLGRIND_TOP=0 BENCH_WORK=$WORK bash "$BENCH/callgrind.sh" \
                        "$c" "$n" 5 2>/dev/null \
                        | sed -n 's/.*page: \([0-9]*\) Ir per request.*/\1/p')
        done
    done
fi

# --- the report ----------------------------------------------------------------

r500=$(ratio "${RPS[module,500]}" "${RPS[proxy,500]}")
r20=$(ratio "${RPS[module,20]}" "${RPS[proxy,20]}")
t500=$(pass ge "$r500" 0.5)
t20=$(pass ge "$r20" 0.7)
t_rss=$(pass eval '[ $stream_complete = 1 ] && lt "$rss_growth_mb" 32')
t_ttfb=$(pass eval '[ $stream_complete = 1 ] && lt "$ttfb_after_page" 50')
t_fair=$(pass eval '[ "${F[big_status]:-0}" = 200 ] && [ "${F[small_errors]:-1}" = 0 ] && lt "${F[small_max_ms]:-}" 50')
FAILS=$(printf '%s\n' "$t500" "$t20" "$t_rss" "$t_ttfb" "$t_fair" | grep -c FAIL || true)

BUSY_END=$(cpu_busy)             # everything of ours is stopped by now
if [ "$BUSY_START" -ge 10 ] || [ "$BUSY_END" -ge 10 ]; then
    NOTES+=("other processes used the CPUs during this run (${BUSY_START}% busy before it, ${BUSY_END}% after it): the numbers are lower and noisier than on an idle machine")
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
ngxv=$("$NGINX" -v 2>&1 | sed 's/.*nginx\///')
rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$REPO" diff --quiet HEAD -- src ngx_http_usage_metering_module.c mappings 2>/dev/null \
    || rev="$rev + uncommitted changes"
pkgv() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }

stream_measure="HTTP ${S[status]:-?}, $(fmt_int "$stream_rows") rows in ${stream_secs} s"
if [ "$stream_complete" = 1 ]; then
    rss_measure="+$rss_growth_mb MB (VmRSS ${S[rss_before_kb]} kB before, peak ${S[rss_peak_kb]} kB)"
    ttfb_measure="$ttfb_after_page ms after page 1 was sent ($ttfb_after_req ms after it was requested)"
else
    [ "${S[status]:-0}" != 200 ] && [ -n "${S[body_head]:-}" ] \
        && stream_measure+=" \`$(head -c 100 <<<"${S[body_head]}" | tr '|`' '/ ')\`"
    rss_measure="not measurable: $stream_measure, $provider_pages provider page(s), +$rss_growth_mb MB"
    ttfb_measure="not measurable: $stream_measure"
fi
if [ "${F[big_status]:-0}" = 200 ]; then
    fair_measure="max ${F[small_max_ms]} ms, p50 ${F[small_p50_ms]} ms over ${F[small_n]} requests while the $(kb "${F[big_bytes]}") answer took ${F[big_seconds]} s (idle p50 ${F[baseline_p50_ms]} ms)"
else
    fair_measure="big request answered HTTP ${F[big_status]:-?} in ${F[big_seconds]:-?} s; small max ${F[small_max_ms]:-?} ms"
fi

REPORT=$WORK/report.md
{
    echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'), module at $rev."
    echo
    echo "Machine: $cpu, $(nproc) cores (nproc), $mem, Linux $(uname -r), $os,"
    echo "CPUs ${BUSY_START}% busy before the run and ${BUSY_END}% after it (other processes);"
    echo "nginx $ngxv (Debian), wrk $(pkgv wrk), libnginx-mod-http-lua $(pkgv libnginx-mod-http-lua),"
    echo "lua-cjson $(pkgv lua-cjson), libnginx-mod-http-js $(pkgv libnginx-mod-http-js), node $(node --version 2>/dev/null || echo -)."
    echo
    echo "Each contender: one nginx worker, \`wrk -t$THREADS -c$CONNS -d${DURATION}s\` after ${WARMUP} s of warm-up,"
    echo "over loopback, one contender at a time; the mock provider is its own nginx instance."
    echo "Pages: $(kb "$(stat -c %s "$DATA/costs-20.json")") (20 rows) and $(kb "$(stat -c %s "$DATA/costs-500.json")") (500 rows)."
    echo
    echo "| contender | 20 rows: req/s | p99 | answer | 500 rows: req/s | p99 | answer |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for c in $RUNNING; do
        line="| ${LABEL[$c]}"
        for n in $SIZES; do
            line+=" | $(fmt_int "${RPS[$c,$n]}")${ERRS[$c,$n]:+ (${ERRS[$c,$n]})} | ${P99[$c,$n]} | $(kb "${ANSWER_BYTES[$c,$n]}")"
        done
        echo "$line |"
    done
    echo
    echo "| ratio | 20 rows | 500 rows |"
    echo "|---|---:|---:|"
    for c in $RUNNING; do
        [ "$c" = module ] && continue
        echo "| module / $c | $(ratio "${RPS[module,20]}" "${RPS[$c,20]}") | $(ratio "${RPS[module,500]}" "${RPS[$c,500]}") |"
    done
    echo
    echo "| target | measured | |"
    echo "|---|---|---|"
    echo "| 500-row page: module ≥ 0.5 × plain proxy_pass | $r500 | $t500 |"
    echo "| 20-row page: module ≥ 0.7 × plain proxy_pass | $r20 | $t20 |"
    echo "| stream of $(fmt_int $((STREAM_PAGES * STREAM_ROWS))) rows: worker RSS grows < 32 MB | $rss_measure | $t_rss |"
    echo "| stream: first byte to the client ≤ 50 ms after the first provider page | $ttfb_measure | $t_ttfb |"
    echo "| fairness: a 20-row request while a 50 MB page is mapped on the same worker ≤ 50 ms | $fair_measure | $t_fair |"
    echo
    if [ "$GUARD_OK" = 1 ]; then
        echo "Correctness guard: every contender's answer equals the reference mapping (parsed and compared as data)."
    else
        echo "Correctness guard FAILED for: ${!BAD[*]} (timed anyway, BENCH_ALLOW_MISMATCH=1)."
    fi
    # (the module's notes come once per instance: print each once)
    for note in "${NOTES[@]}"; do echo "Note: $note."; done | awk '!seen[$0]++'
    if [ -n "${IR[module,500]:-}" ]; then
        echo
        echo "Instructions per request in the contender's worker (callgrind, \`bench/callgrind.sh\`; the same on"
        echo "any run, whatever else the machine does; the kernel's work is not in them):"
        echo
        echo "| | 20 rows | 500 rows |"
        echo "|---|---:|---:|"
        echo "| proxy (plain proxy_pass) | $(fmt_int "${IR[proxy,20]:-0}") | $(fmt_int "${IR[proxy,500]:-0}") |"
        echo "| module | $(fmt_int "${IR[module,20]:-0}") | $(fmt_int "${IR[module,500]:-0}") |"
        echo "| module per row | $(fmt_int "$(awk -v a="${IR[module,20]:-0}" -v b="${IR[proxy,20]:-0}" 'BEGIN { print (a - b) / 20 }')") | $(fmt_int "$(awk -v a="${IR[module,500]:-0}" -v b="${IR[proxy,500]:-0}" 'BEGIN { print (a - b) / 500 }')") |"
    fi
    if [ -n "$ENGINE_OUT" ]; then
        echo
        echo "Engine micro-benchmark (\`build/bench/engine_bench\`):"
        echo
        echo '```'
        echo "$ENGINE_OUT"
        echo '```'
    fi
} > "$REPORT"

echo
cat "$REPORT"
echo
say "report: $REPORT; wrk outputs and answers: $WORK"

if [ "$UPDATE_DOC" = 1 ]; then
    # replace what is between the markers, keep the rest of the document
    doc=$REPO/BENCHMARKS.md
    if [ -f "$doc" ] && grep -q '^<!-- bench:begin -->$' "$doc" \
       && grep -q '^<!-- bench:end -->$' "$doc"; then
        perl -0pi -e '
            BEGIN { local $/; open my $f, "<", shift @ARGV or die; $r = <$f> }
            s/(<!-- bench:begin -->\n).*?(<!-- bench:end -->)/$1\n$r\n$2/s' \
            "$REPORT" "$doc"
    else
        { echo "# Benchmarks"; echo; echo "<!-- bench:begin -->"; echo
          cat "$REPORT"; echo; echo "<!-- bench:end -->"; } > "$doc"
    fi
    say "BENCHMARKS.md updated"
fi

if [ "${BENCH_SOAK:-0}" = 1 ]; then
    run_soak || FAILS=$((FAILS + 1))
fi

if [ "$STRICT" = 1 ] && [ "$FAILS" -gt 0 ]; then
    exit 1
fi
exit 0
