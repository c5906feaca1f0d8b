# The Test::Nginx suite, run in parallel, and its whole-suite checks;
# included from the top Makefile (they need its deps and all targets, its
# PROVE_INC and its TEST_NGINX_* exports):
#
#   make prove               the suite, PROVE_JOBS files at once
#   make test-secrets        the suite capturing every response and error
#                            log line (TEST_NGINX_CAPTURE_DIR); no configured
#                            secret may be in them (t/check-secrets.pl)
#   make test-valgrind       the suite under valgrind memcheck (a fresh nginx
#                            per test; no leak or invalid access may come
#                            from the module, t/lib/Test/Nginx/nginx-core.supp
#                            holds nginx core's own leaks)
#   make test-hup            the suite with a HUP reload between tests
#   make test-valgrind-hup   both, one after the other
#   make demo-check          the demo answers every provider and resource
#
# Each file runs in a server root and on a port of its own
# (t/parallel-exec.pl: $TEST_NGINX_SERVROOT/<file>, default
# t/servroot/<file>, and $TEST_NGINX_SERVER_PORT + 1 + n, default from
# 1985), so several run at once.  PROVE_JOBS=1 runs one file at a time;
# PROVE_ARGS selects the files (default: the whole suite, -r t), e.g.
#   make prove PROVE_ARGS=t/020-errors.t

PROVE_JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
PROVE_ARGS    ?= -r t
CHECK_CAPTURE ?= $(CURDIR)/build/capture
CHECK_PROVE    = prove --timer -j$(PROVE_JOBS) \
                 --exec "perl t/parallel-exec.pl $(strip $(PROVE_INC))"

.PHONY: prove test-secrets test-valgrind test-hup test-valgrind-hup

prove: all
	$(CHECK_PROVE) $(PROVE_ARGS)

test-secrets: deps all
	rm -rf $(CHECK_CAPTURE)
	TEST_NGINX_CAPTURE_DIR=$(CHECK_CAPTURE) $(CHECK_PROVE) $(PROVE_ARGS)
	perl t/check-secrets.pl $(CHECK_CAPTURE) $(wildcard t/*.t)

test-valgrind: deps all
	TEST_NGINX_USE_VALGRIND=1 $(CHECK_PROVE) $(PROVE_ARGS)

test-hup: deps all
	TEST_NGINX_USE_HUP=1 $(CHECK_PROVE) $(PROVE_ARGS)

test-valgrind-hup: deps all
	@start=$$(date +%s); \
	echo "== the suite under valgrind"; \
	TEST_NGINX_USE_VALGRIND=1 $(CHECK_PROVE) $(PROVE_ARGS) || exit 1; \
	mid=$$(date +%s); \
	echo "== the suite with HUP reloads"; \
	TEST_NGINX_USE_HUP=1 $(CHECK_PROVE) $(PROVE_ARGS) || exit 1; \
	end=$$(date +%s); \
	echo "valgrind: $$((mid - start)) s, HUP: $$((end - mid)) s"

# the demo (`make demo`, on free ports: t/run-example.sh) answers every
# resource of every provider (t/demo-check.pl)
DEMO_CHECK_RUN ?= $(CURDIR)/build/demo-check

.PHONY: demo-check

demo-check: deps all
	@if [ -f t/demo-check.pl ]; then \
	    t/run-example.sh $(CURDIR) $(DEMO_CHECK_RUN) perl t/demo-check.pl; \
	else \
	    echo "no t/demo-check.pl: skipped"; \
	fi

# the capture is the bundled runner's (t/lib), even where the CPAN
# Test::Nginx is installed
test-secrets: PROVE_INC := -I t/lib
