# The benchmark harness (BENCHMARKS.md).  Included by the top Makefile
# (`-include bench/bench.mk`), or used alone from the repository root:
#
#   make bench              throughput of module / proxy_pass / lua / njs / node,
#                           stream and fairness targets; writes BENCHMARKS.md
#   make bench-deps         install what the peers need (Debian packages, root)
#   make bench-data         only generate the mock provider's pages
#   make bench-engine       the mapping engine alone (build/bench/engine_bench)
#   make bench-callgrind    instructions per request, module and proxy_pass
#   make soak               10 minutes of mixed traffic (make bench BENCH_SOAK=1)
#   make -f bench/bench.mk bench   the same without the top Makefile
#
#   make bench BENCH_DURATION=3 BENCH_UPDATE_DOC=0   a quick look
#
# This fragment sets no default goal: whatever .DEFAULT_GOAL was before the
# include is restored at the end.

BENCH_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

BENCH_DURATION       ?= 10
BENCH_WARMUP         ?= 2
BENCH_THREADS        ?= 2
BENCH_CONNECTIONS    ?= 16
BENCH_CONTENDERS     ?= proxy module lua njs node
BENCH_WORK           ?= build/bench
BENCH_UPDATE_DOC     ?= 1
BENCH_STRICT         ?= 0
BENCH_ALLOW_MISMATCH ?= 0
BENCH_ENGINE_ARGS    ?=
BENCH_BUILD          ?= 1
BENCH_STREAM_ACCEPT  ?= application/x-ndjson
BENCH_SOAK           ?= 0
BENCH_SOAK_SECONDS   ?= 600

export BENCH_DURATION BENCH_WARMUP BENCH_THREADS BENCH_CONNECTIONS \
       BENCH_CONTENDERS BENCH_WORK BENCH_UPDATE_DOC BENCH_STRICT \
       BENCH_ALLOW_MISMATCH BENCH_ENGINE_ARGS BENCH_STREAM_ACCEPT \
       BENCH_SOAK BENCH_SOAK_SECONDS

# the peers and the load generator, from Debian (bookworm names): lua-cjson
# ships the LuaJIT/5.1 build that lua-nginx-module loads
BENCH_PKGS := nginx wrk curl libnginx-mod-http-lua lua-cjson \
              libnginx-mod-http-js

.PHONY: bench bench-deps bench-data bench-engine bench-callgrind soak

bench-deps:
	@missing=""; \
	for p in $(BENCH_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    if [ "$$(id -u)" != 0 ]; then sudo=sudo; else sudo=; fi; \
	    $$sudo apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	        --no-install-recommends $$missing >/dev/null \
	    || { echo "apt-get install$$missing failed"; exit 1; }; \
	fi
	@command -v node >/dev/null && command -v npm >/dev/null \
	    || echo "bench: node/npm not found, the node contender will be skipped"

# the module is built by the top Makefile's own rule (`make all`), also
# when this fragment is used alone; BENCH_BUILD=0 measures objs/ as it is
bench: bench-deps $(BENCH_WORK)/engine_bench
	@if [ "$(BENCH_BUILD)" != 0 ]; then \
	    $(MAKE) --no-print-directory -f Makefile all; \
	else echo "bench: BENCH_BUILD=0, using objs/ as it is"; fi
	@bash bench/run.sh

bench-data:
	@bash bench/run.sh --data-only

# 10 minutes (BENCH_SOAK_SECONDS) of mixed traffic on one module worker:
# every format, pagination, errors; no unexpected status, RSS flat.  Not CI.
soak: bench-deps
	@if [ "$(BENCH_BUILD)" != 0 ]; then \
	    $(MAKE) --no-print-directory -f Makefile all; fi
	@bash bench/run.sh --soak

# The mapping engine without nginx: rows/s of the Confluent mapping over the
# 20- and 500-row pages (bench/engine_bench.c, built with the module's
# optimisation flags from the engine's sources).  `make bench` runs it too.
BENCH_ENGINE_SRCS = $(wildcard src/um_*.c)
BENCH_ENGINE_CC  ?= gcc
BENCH_ENGINE_CFLAGS ?= -std=gnu99 -g -O2 -Wall -Wextra
BENCH_ENGINE_LIBS ?= -ljansson -lpcre2-8 -lm
BENCH_ENGINE_PAGES ?= $(BENCH_WORK)/data/costs-20.json \
                      $(BENCH_WORK)/data/costs-500.json

$(BENCH_WORK)/engine_bench: bench/engine_bench.c $(BENCH_ENGINE_SRCS) \
    $(wildcard src/um_*.h)
	@mkdir -p $(BENCH_WORK)
	$(BENCH_ENGINE_CC) $(BENCH_ENGINE_CFLAGS) -Isrc -o $@ bench/engine_bench.c \
	    $(BENCH_ENGINE_SRCS) $(BENCH_ENGINE_LIBS)

bench-engine: bench-data $(BENCH_WORK)/engine_bench
	@$(BENCH_WORK)/engine_bench $(BENCH_ENGINE_ARGS) $(BENCH_ENGINE_PAGES)

# instructions per request of the module and of plain proxy_pass, counted
# by callgrind (deterministic, unlike req/s on a shared machine):
#   make bench-callgrind [BENCH_CG_ROWS=500] [BENCH_CG_REQUESTS=20]
BENCH_CG_ROWS     ?= 500
BENCH_CG_REQUESTS ?= 20

bench-callgrind: bench-deps
	@if [ "$(BENCH_BUILD)" != 0 ]; then \
	    $(MAKE) --no-print-directory -f Makefile all; fi
	@CALLGRIND_TOP=0 bash bench/callgrind.sh proxy $(BENCH_CG_ROWS) \
	    $(BENCH_CG_REQUESTS) 2>/dev/null | tail -1
	@bash bench/callgrind.sh module $(BENCH_CG_ROWS) $(BENCH_CG_REQUESTS) \
	    2>/dev/null | grep -v '^sending'

.DEFAULT_GOAL := $(BENCH_SAVED_DEFAULT_GOAL)
