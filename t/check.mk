# Whole-suite checks of the Test::Nginx tests, included from the top
# Makefile (they need its `all` target and TEST_NGINX_* exports):
#
#   make test-valgrind-hup   the suite under valgrind memcheck (a fresh nginx
#                            per test; no leak or invalid access may come
#                            from the module, t/lib/Test/Nginx/nginx-core.supp
#                            holds nginx core's own leaks), then the suite
#                            with a HUP reload between tests
#   make test-secrets        the suite capturing every response and error
#                            log line; no configured secret may be in them
#                            (t/check-secrets.pl)
#
# CHECK_PROVE_ARGS selects the files (default: the whole suite, as `make
# prove` runs it).

CHECK_PROVE_ARGS ?= -r t
CHECK_CAPTURE    ?= $(CURDIR)/build/capture

.PHONY: test-valgrind-hup test-secrets

test-valgrind-hup: all
	@start=$$(date +%s); \
	echo "== the suite under valgrind"; \
	TEST_NGINX_USE_VALGRIND=1 prove $(PROVE_INC) $(CHECK_PROVE_ARGS) \
	    || exit 1; \
	mid=$$(date +%s); \
	echo "== the suite with HUP reloads"; \
	TEST_NGINX_USE_HUP=1 prove $(PROVE_INC) $(CHECK_PROVE_ARGS) || exit 1; \
	end=$$(date +%s); \
	echo "valgrind: $$((mid - start)) s, HUP: $$((end - mid)) s"

test-secrets: all
	rm -rf $(CHECK_CAPTURE)
	TEST_NGINX_CAPTURE_DIR=$(CHECK_CAPTURE) prove $(PROVE_INC) \
	    $(CHECK_PROVE_ARGS)
	perl t/check-secrets.pl $(CHECK_CAPTURE) $(wildcard t/*.t)
