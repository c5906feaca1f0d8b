#!/bin/sh
# For running the suite under the CPAN Test::Nginx with Debian's nginx:
#   TEST_NGINX_BINARY=$PWD/t/nginx-early-log.sh prove -r t
#
# Debian builds nginx with --error-log-path=stderr, so what nginx logs
# before it reads error_log (a configuration mistake: the [emerg] lines
# that the must_die blocks expect) goes to the terminal, which Test::Nginx
# does not read.  A source-built nginx writes it to <prefix>/logs/error.log;
# this does the same with -e.  (The bundled runner in t/lib passes -e
# itself.)

nginx=${NGINX:-/usr/sbin/nginx}
prefix=
prev=

for a in "$@"; do
    [ "$prev" = "-p" ] && prefix=$a
    prev=$a
done

if [ -n "$prefix" ]; then
    exec "$nginx" "$@" -e "${prefix%/}/logs/error.log"
fi

exec "$nginx" "$@"
