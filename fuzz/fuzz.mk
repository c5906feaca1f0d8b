# libFuzzer targets of the engine (clang, ASan + UBSan).
#
# Included from the top Makefile, or run alone from the repository root:
#   make -f fuzz/fuzz.mk fuzz-build   build build/fuzz/fuzz_<part>
#   make -f fuzz/fuzz.mk fuzz         each harness FUZZ_TIME seconds (600)
#   make -f fuzz/fuzz.mk fuzz-smoke   each harness FUZZ_SMOKE_TIME (60);
#                                     `make test` (CI) runs it
#   make -f fuzz/fuzz.mk fuzz-run-<part> FUZZ_RUN_TIME=n   one harness
#
# The harnesses run FUZZ_JOBS (the number of cores) at a time, each for its
# whole time on a core of its own.  fuzz-deps installs clang and
# libclang-rt-14-dev (libFuzzer and the sanitizers' runtime) when missing.
#
# The parts: request (src/um_request.c), cursor (um_cursor.c), expr (the
# expression compiler and evaluator), map_compile (um_map_compile.c, then
# what compiles is run), map_exec (um_map_exec.c over mappings/ and
# fuzz/mappings/), json (um_json_scan.c, um_json_out.c).
#
# The seeds in fuzz/corpus/<part>/ are read only; what the fuzzer finds
# goes to build/fuzz/corpus/<part>/ (kept between runs), a crash, leak,
# timeout or failed check to build/fuzz/artifacts/<part>/ with the log in
# build/fuzz/<part>.log, and the target fails.  Reproduce a finding with
#   build/fuzz/fuzz_<part> build/fuzz/artifacts/<part>/crash-...

um_fuzz_saved_goal := $(.DEFAULT_GOAL)

FUZZ_CC          ?= clang
FUZZ_TIME        ?= 600
FUZZ_SMOKE_TIME  ?= 60
FUZZ_PARTS       ?= request cursor expr map_compile map_exec json
FUZZ_NICE        ?= nice -n 15
FUZZ_JOBS        ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_OPTS        ?= -timeout=20 -rss_limit_mb=2560 -max_len=16384 \
                    -print_final_stats=1

FUZZ_PKGS        := clang libclang-rt-14-dev libjansson-dev libpcre2-dev
FUZZ_DIR         := build/fuzz
FUZZ_SAN         := -fsanitize=address,undefined -fno-sanitize-recover=all \
                    -fno-omit-frame-pointer
FUZZ_CFLAGS      := -g -O1 -Wall -Wextra -Wno-string-concatenation \
                    -std=gnu99 $(FUZZ_SAN) -Isrc -Ifuzz
FUZZ_LIBS        := $(shell pkg-config --libs jansson libpcre2-8 2>/dev/null \
                      || echo -ljansson -lpcre2-8) -lm

FUZZ_ENGINE      := $(filter src/um_%.c,$(wildcard src/*.c))
FUZZ_OBJS        := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_ENGINE))
FUZZ_BINS        := $(FUZZ_PARTS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-deps fuzz-expr
.SECONDARY: $(FUZZ_OBJS)

# the compiler and its runtime, when missing (root, or sudo)
fuzz-deps:
	@missing=""; \
	for p in $(FUZZ_PKGS); do \
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

fuzz-build: $(FUZZ_BINS)

fuzz-expr: $(FUZZ_DIR)/fuzz_expr

$(FUZZ_DIR)/obj/%.o: src/%.c $(wildcard src/*.h) | fuzz-deps
	@mkdir -p $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_run.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
	    $(FUZZ_LIBS)

# one harness for FUZZ_RUN_TIME seconds (set by the two targets below)
fuzz-run-%: $(FUZZ_DIR)/fuzz_%
	@p=$*; \
	mkdir -p $(FUZZ_DIR)/corpus/$$p $(FUZZ_DIR)/artifacts/$$p; \
	dict=""; \
	if [ -f fuzz/$$p.dict ]; then dict="-dict=fuzz/$$p.dict"; fi; \
	echo "== fuzz_$$p: $(FUZZ_RUN_TIME) s"; \
	if $(FUZZ_NICE) $(FUZZ_DIR)/fuzz_$$p $(FUZZ_OPTS) $$dict \
	    -max_total_time=$(FUZZ_RUN_TIME) \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/$$p/ \
	    $(FUZZ_DIR)/corpus/$$p fuzz/corpus/$$p \
	    > $(FUZZ_DIR)/$$p.log 2>&1; \
	then \
	    grep -E "^stat::(number_of_executed_units|peak_rss_mb)" \
	        $(FUZZ_DIR)/$$p.log | tr '\n' ' '; \
	    grep -E "^#[0-9]+.*(DONE|pulse|NEW)" $(FUZZ_DIR)/$$p.log \
	        | tail -1 | sed 's/^/  /'; \
	else \
	    echo "FAILED: fuzz_$$p, see $(FUZZ_DIR)/$$p.log:"; \
	    grep -E "ERROR|runtime error|SUMMARY|Test unit written" \
	        $(FUZZ_DIR)/$$p.log | head -5; \
	    exit 1; \
	fi

# every harness, FUZZ_JOBS at a time (each on a core of its own), every one
# even when one fails
define fuzz_run
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) \
	    -k -j$(FUZZ_JOBS) --output-sync=target FUZZ_RUN_TIME=$(1) \
	    $(FUZZ_PARTS:%=fuzz-run-%) \
	|| { echo "fuzz findings (reproducers in $(FUZZ_DIR)/artifacts/)"; \
	     exit 1; }
endef

fuzz: fuzz-build
	$(call fuzz_run,$(FUZZ_TIME))

fuzz-smoke: fuzz-build
	$(call fuzz_run,$(FUZZ_SMOKE_TIME))

ifeq ($(um_fuzz_saved_goal),)
ifeq ($(notdir $(firstword $(MAKEFILE_LIST))),fuzz.mk)
.DEFAULT_GOAL := fuzz-build
else
.DEFAULT_GOAL :=
endif
else
.DEFAULT_GOAL := $(um_fuzz_saved_goal)
endif
