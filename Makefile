# ngx_http_usage_metering_module
#
#   make            build objs/ngx_http_usage_metering_module.so
#   make test       install what is missing, build, run every test (CI)
#   make test-quick the Test::Nginx suite and the unit tests only
#   make demo       run nginx.conf.example on 127.0.0.1:8080 with sandbox data
#   make demo-stop
#
# The module is built out of tree against Debian's nginx-dev (--with-compat),
# configured in a copy of its source tree so that nothing under /usr changes.

SHELL       := /bin/bash
.DEFAULT_GOAL := all

NGINX       ?= /usr/sbin/nginx
NGX_SYS_SRC ?= /usr/share/nginx/src
BUILD       := $(CURDIR)/build
NGX_SRC     := $(BUILD)/nginx-src
MODULE      := objs/ngx_http_usage_metering_module.so

# Debian's own flags for modules (see dpkg-buildflags), warnings are errors
# through nginx's own -Werror
CC_OPT      := -g -O2 -fstack-protector-strong -Wformat \
               -Werror=format-security -fPIC -Wdate-time -D_FORTIFY_SOURCE=2
LD_OPT      := -Wl,-z,relro -Wl,-z,now -fPIC

BUILD_PKGS  := nginx nginx-dev libjansson-dev libpcre2-dev gcc make
TEST_PKGS   := $(BUILD_PKGS) libtest-base-perl libtest-longstring-perl \
               liblist-moreutils-perl libtext-diff-perl libwww-perl \
               libipc-run-perl libnginx-mod-http-js curl valgrind

SRCS        := $(wildcard src/*.c src/*.h) ngx_http_usage_metering_module.c

PROVE_INC   := $(shell perl -MTest::Nginx::Socket -e1 2>/dev/null \
                       || echo "-I t/lib")

export TEST_NGINX_BINARY       ?= $(NGINX)
export TEST_NGINX_LOAD_MODULES ?= $(CURDIR)/$(MODULE)
export TEST_NGINX_MAPPINGS     ?= $(CURDIR)/mappings
export TEST_NGINX_REPO         ?= $(CURDIR)


.PHONY: all deps deps-build test test-quick unit unit-engine demo \
        demo-stop demo-check clean

all: deps-build $(MODULE)

# install the Debian packages that are missing (root; CI runs as root)
define install_missing
	@missing=""; \
	for p in $(1); do \
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
endef

deps-build:
	$(call install_missing,$(BUILD_PKGS))

# node and npm run the reference JSONata; a machine may have them from
# another source than Debian's packages, so look for the commands
deps:
	$(call install_missing,$(TEST_PKGS))
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	    echo "installing: nodejs npm"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        --no-install-recommends nodejs npm >/dev/null; \
	fi

objs/Makefile: config
	rm -rf $(NGX_SRC)
	mkdir -p $(BUILD)
	cp -r $(NGX_SYS_SRC) $(NGX_SRC)
	cd $(NGX_SRC) && . ./conf_flags \
	    && ./configure "$${NGX_CONF_FLAGS[@]}" \
	        --with-cc-opt="$(CC_OPT)" --with-ld-opt="$(LD_OPT)" \
	        --add-dynamic-module=$(CURDIR) --builddir=$(CURDIR)/objs \
	        > $(BUILD)/configure.log 2>&1 \
	    || { tail -20 $(BUILD)/configure.log; exit 1; }

$(MODULE): objs/Makefile $(SRCS)
	$(MAKE) -s -C $(NGX_SRC) -f $(CURDIR)/objs/Makefile modules

-include t/unit/unit.mk
-include packaging/packaging.mk
-include bench/bench.mk
-include fuzz/fuzz.mk
-include t/openapi/openapi.mk

# the engine alone (no nginx): request parsing, scanner, compiler, executor
ENGINE_SRCS := $(filter src/um_%.c,$(wildcard src/*.c))

build/unit/test_engine: t/unit/test_engine.c $(ENGINE_SRCS) $(wildcard src/*.h)
	@mkdir -p build/unit
	gcc -std=gnu99 -Wall -Wextra -Werror -g -Isrc -o $@ \
	    t/unit/test_engine.c $(ENGINE_SRCS) -ljansson -lpcre2-8 -lm

# the fast JSON parser and number formatting against jansson and a
# reference (random texts), then the executor's fast path against its
# jansson path over every sandbox page (bench/compare.sh)
build/unit/test_json_parse: t/unit/test_json_parse.c $(ENGINE_SRCS) \
    $(wildcard src/*.h)
	@mkdir -p build/unit
	gcc -std=gnu99 -Wall -Wextra -Werror -g -O1 -Isrc -o $@ \
	    t/unit/test_json_parse.c $(ENGINE_SRCS) -ljansson -lpcre2-8 -lm

unit-engine: build/unit/test_engine build/unit/test_json_parse \
    $(BENCH_WORK)/engine_bench
	valgrind --quiet --leak-check=full --errors-for-leak-kinds=all \
	    --error-exitcode=1 build/unit/test_engine
	build/unit/test_json_parse 3
	valgrind --quiet --leak-check=full --errors-for-leak-kinds=all \
	    --error-exitcode=1 build/unit/test_json_parse 1
	bash bench/compare.sh $(BENCH_WORK)/engine_bench

unit: deps unit-expr expr-diff unit-engine

include t/check.mk

# `make test` is what CI runs (.ci/run): each stage in turn, stopping at
# the first that fails, the fast ones first, then how long each took.
#   test-secrets       the Test::Nginx suite (files in parallel), capturing
#                      responses and error logs, then t/check-secrets.pl
#   unit               the engine's unit tests, the expression language's
#                      differential test, the fast path against jansson
#   test-valgrind-hup  the suite under valgrind, then with HUP reloads
#   fuzz-smoke         each libFuzzer harness FUZZ_SMOKE_TIME (60) s
#   openapi-validate   the OpenAPI document through a real validator
#   demo-check         `make demo` answers every provider and resource
# `make test-quick` is the loop while developing: the suite and the unit
# tests; `make prove` the suite alone.
TEST_STAGES ?= test-secrets unit test-valgrind-hup fuzz-smoke \
               openapi-validate demo-check

test: deps all
	@times=""; all0=$$(date +%s); \
	for s in $(TEST_STAGES); do \
	    echo; echo "=== make $$s"; t0=$$(date +%s); \
	    if ! $(MAKE) --no-print-directory $$s; then \
	        echo "=== make $$s FAILED after $$(( $$(date +%s) - t0 )) s"; \
	        exit 1; \
	    fi; \
	    times="$$times$$(printf '  %-18s %5d s' $$s \
	        $$(( $$(date +%s) - t0 )))\n"; \
	done; \
	echo; echo "=== make test passed in $$(( $$(date +%s) - all0 )) s:"; \
	printf "$$times"

test-quick: deps all
	$(MAKE) --no-print-directory prove
	$(MAKE) --no-print-directory unit

DEMO := $(BUILD)/demo

demo: deps all
	@mkdir -p $(DEMO)/logs $(DEMO)/tmp
	@if [ -f $(DEMO)/nginx.pid ] && kill -0 $$(cat $(DEMO)/nginx.pid) 2>/dev/null; then \
	    kill -QUIT $$(cat $(DEMO)/nginx.pid); sleep 1; fi
	$(NGINX) -p $(CURDIR)/ -c $(CURDIR)/nginx.conf.example \
	    -g "pid $(DEMO)/nginx.pid; error_log $(DEMO)/logs/error.log notice;"
	@echo
	@echo "The unified API runs on http://127.0.0.1:8080 (sandbox data). Try:"
	@echo
	@perl sandbox/demo-urls.pl nginx.conf.example mappings \
	    http://127.0.0.1:8080
	@echo "  (add &truto_response_format=debug, =raw or =stream to any of them)"
	@echo
	@echo "Stop it with: make demo-stop"

demo-stop:
	@if [ -f $(DEMO)/nginx.pid ]; then \
	    kill -QUIT $$(cat $(DEMO)/nginx.pid) 2>/dev/null || true; \
	    rm -f $(DEMO)/nginx.pid; echo "stopped"; \
	else echo "not running"; fi

clean:
	rm -rf objs $(BUILD) t/servroot*
