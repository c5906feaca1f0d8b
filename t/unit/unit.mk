# Unit and differential tests of the expression engine.
#
# Included from the top Makefile, or run alone from the repository root:
#   make -f t/unit/unit.mk unit-expr        C unit tests, then valgrind
#   make -f t/unit/unit.mk unit-expr-asan   the same under ASan + UBSan
#   make -f t/unit/unit.mk expr-diff        differential test against the
#                                           npm jsonata package
#
# The libFuzzer target of the expression engine is fuzz/fuzz_expr.c, built
# and run by fuzz/fuzz.mk with the other engine parts' targets.

um_unit_saved_goal := $(.DEFAULT_GOAL)

UM_UNIT_CC      ?= gcc
UM_UNIT_CLANG   ?= clang
UM_UNIT_CFLAGS  ?= -Wall -Wextra -Werror -std=gnu99 -g
UM_UNIT_LIBS    ?= $(shell pkg-config --libs jansson libpcre2-8 2>/dev/null \
                     || echo -ljansson -lpcre2-8) -lm
UM_UNIT_VALGRIND ?= valgrind --quiet --leak-check=full \
                     --errors-for-leak-kinds=all --error-exitcode=1
UM_UNIT_NPM     ?= npm
UM_UNIT_NODE    ?= node

# the expression engine's sources, and the engine files it links with
UM_UNIT_SRCS = src/um_value.c src/um_date.c src/um_expr_parse.c \
               src/um_expr_eval.c src/um_expr_func.c
UM_UNIT_DEPS = src/um_arena.c src/um_error.c src/um_str.c src/um_json_out.c
UM_UNIT_HDRS = $(wildcard src/*.h)

UM_UNIT_DIR      = build/unit
UM_UNIT_ASAN_DIR = build/unit-asan
UM_UNIT_VG_DIR   = build/unit-vg
UM_UNIT_SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer \
                   -fno-sanitize-recover=all

UM_UNIT_TESTS    = test_expr test_date

UM_UNIT_OBJS      = $(patsubst src/%.c,$(UM_UNIT_DIR)/obj/%.o,\
                      $(UM_UNIT_SRCS) $(UM_UNIT_DEPS))
UM_UNIT_ASAN_OBJS = $(patsubst src/%.c,$(UM_UNIT_ASAN_DIR)/obj/%.o,\
                      $(UM_UNIT_SRCS) $(UM_UNIT_DEPS))
UM_UNIT_VG_OBJS   = $(patsubst src/%.c,$(UM_UNIT_VG_DIR)/obj/%.o,\
                      $(UM_UNIT_SRCS) $(UM_UNIT_DEPS))

.PHONY: unit-expr unit-expr-asan expr-diff
.SECONDARY: $(UM_UNIT_OBJS) $(UM_UNIT_ASAN_OBJS) $(UM_UNIT_VG_OBJS)

# valgrind runs a build without PCRE2 JIT: it cannot follow JIT code and
# reports its reads as uninitialised

unit-expr: $(UM_UNIT_TESTS:%=$(UM_UNIT_DIR)/%) \
    $(UM_UNIT_TESTS:%=$(UM_UNIT_VG_DIR)/%)
	@set -e; for t in $(UM_UNIT_TESTS); do \
	    echo "== $$t"; $(UM_UNIT_DIR)/$$t; \
	    echo "== $$t (valgrind, no JIT)"; \
	    $(UM_UNIT_VALGRIND) $(UM_UNIT_VG_DIR)/$$t; \
	done

unit-expr-asan: $(UM_UNIT_TESTS:%=$(UM_UNIT_ASAN_DIR)/%)
	@set -e; for t in $(UM_UNIT_TESTS); do \
	    echo "== $$t (asan)"; \
	    ASAN_OPTIONS=detect_leaks=1 $(UM_UNIT_ASAN_DIR)/$$t; \
	done

$(UM_UNIT_DIR)/obj/%.o: src/%.c $(UM_UNIT_HDRS)
	@mkdir -p $(UM_UNIT_DIR)/obj
	$(UM_UNIT_CC) $(UM_UNIT_CFLAGS) -Isrc -c -o $@ $<

$(UM_UNIT_ASAN_DIR)/obj/%.o: src/%.c $(UM_UNIT_HDRS)
	@mkdir -p $(UM_UNIT_ASAN_DIR)/obj
	$(UM_UNIT_CC) $(UM_UNIT_CFLAGS) $(UM_UNIT_SAN) -Isrc \
	    -c -o $@ $<

$(UM_UNIT_VG_DIR)/obj/%.o: src/%.c $(UM_UNIT_HDRS)
	@mkdir -p $(UM_UNIT_VG_DIR)/obj
	$(UM_UNIT_CC) $(UM_UNIT_CFLAGS) -DUM_EXPR_NO_JIT -Isrc \
	    -c -o $@ $<

$(UM_UNIT_VG_DIR)/%: t/unit/%.c $(UM_UNIT_VG_OBJS)
	$(UM_UNIT_CC) $(UM_UNIT_CFLAGS) -Isrc -o $@ $< $(UM_UNIT_VG_OBJS) \
	    $(UM_UNIT_LIBS)

$(UM_UNIT_DIR)/%: t/unit/%.c $(UM_UNIT_OBJS)
	$(UM_UNIT_CC) $(UM_UNIT_CFLAGS) -Isrc -o $@ $< $(UM_UNIT_OBJS) \
	    $(UM_UNIT_LIBS)

$(UM_UNIT_ASAN_DIR)/%: t/unit/%.c $(UM_UNIT_ASAN_OBJS)
	$(UM_UNIT_CC) $(UM_UNIT_CFLAGS) $(UM_UNIT_SAN) -Isrc -o $@ $< \
	    $(UM_UNIT_ASAN_OBJS) $(UM_UNIT_LIBS)

# the differential test: our engine (driver) against the reference

$(UM_UNIT_DIR)/expr_diff_driver: t/unit/expr_diff/driver.c $(UM_UNIT_OBJS)
	$(UM_UNIT_CC) $(UM_UNIT_CFLAGS) -Isrc -o $@ $< $(UM_UNIT_OBJS) \
	    $(UM_UNIT_LIBS)

build/npm/node_modules/jsonata/package.json:
	@mkdir -p build/npm
	$(UM_UNIT_NPM) install --no-audit --no-fund --prefix build/npm \
	    jsonata@2

expr-diff: $(UM_UNIT_DIR)/expr_diff_driver \
    build/npm/node_modules/jsonata/package.json
	$(UM_UNIT_DIR)/expr_diff_driver t/unit/expr_cases.json \
	    > $(UM_UNIT_DIR)/expr_diff_ours.jsonl
	TZ=UTC NODE_PATH=build/npm/node_modules $(UM_UNIT_NODE) \
	    t/unit/expr_diff/compare.js t/unit/expr_cases.json \
	    $(UM_UNIT_DIR)/expr_diff_ours.jsonl

ifeq ($(um_unit_saved_goal),)
ifeq ($(notdir $(firstword $(MAKEFILE_LIST))),unit.mk)
.DEFAULT_GOAL := unit-expr
else
.DEFAULT_GOAL :=
endif
else
.DEFAULT_GOAL := $(um_unit_saved_goal)
endif
