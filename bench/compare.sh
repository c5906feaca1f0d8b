#!/bin/bash
# The mapping executor's fast path (um_json_parse.c, records streamed and
# mapped in slices) against its reference path (jansson), over every
# sandbox page of every provider and random mutations of each: the rows,
# the page's outcome and any error message must be the same.  Part of
# make unit; BENCH_COMPARE_N mutations per page (100).
#
#   bench/compare.sh [ENGINE_BENCH]

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
B=${1:-build/bench/engine_bench}
N=${BENCH_COMPARE_N:-100}

[ -x "$B" ] || { echo "compare.sh: $B is not built (make $B)" >&2; exit 1; }

run() {                         # PROVIDER RESOURCE PAGE...
    local p=$1 r=$2
    shift 2
    "$B" -c "$N" -p "$p" -r "$r" "$@"
}

out=$(
    {
        run confluent usage sandbox/confluent/billing-costs*.json
        run confluent workspaces sandbox/confluent/environments*.json
        run confluent users sandbox/confluent/users*.json
        run confluent organizations sandbox/confluent/organizations.json
        run anthropic usage sandbox/anthropic/usage-report-*.json
        run anthropic users sandbox/anthropic/users.json
        run anthropic workspaces sandbox/anthropic/workspaces.json
        run claude usage sandbox/claude/analytics-users*.json
        run claude users sandbox/claude/analytics-users*.json
        run cursor usage sandbox/cursor/daily-usage-data.json
        run cursor users sandbox/cursor/members.json
        run datadog usage sandbox/datadog/*cost.json
        run datadog organizations sandbox/datadog/org.json
        run neon usage sandbox/neon/consumption*.json
        run neon workspaces sandbox/neon/projects*.json
        run openai usage sandbox/openai/usage-*.json
        run openai users sandbox/openai/users.json
        run openai workspaces sandbox/openai/projects.json
        if [ -f build/bench/data/costs-20.json ]; then
            run confluent usage build/bench/data/costs-20.json
        fi
    } 2>&1
) || true

# every line is a page's summary (or an indented excerpt of a difference)
echo "$out" | grep -v '^  ' | grep -v ' 0 differences$' || true
echo "$out" | awk '/^  / { next }
    /texts compared.*differences$/ { f++; t += $2; d += $(NF - 1); next }
    { other++ }
    END { printf "compare: %d pages, %d texts, %d differences\n", f, t, d
          exit (d > 0 || f == 0 || other > 0) }'
