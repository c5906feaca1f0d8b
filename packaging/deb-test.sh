#!/usr/bin/env bash
# Install test of the Debian package on this machine's stock nginx.
#
#   packaging/deb-test.sh path/to/libnginx-mod-http-usage-metering_<v>_<arch>.deb
#
# Installs the package with dpkg -i (apt-get -f install brings in missing
# dependencies), checks the installed files and the modules-enabled link,
# runs `nginx -t` on the system's /etc/nginx/nginx.conf (which now loads the
# module through modules-enabled) and on a configuration derived from
# nginx.conf.example that uses the installed module and mappings, then purges
# the package and checks that /etc/nginx is back as it was.  The system nginx
# is never started or reloaded by this script.  As root, or through sudo.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
deb=${1:?usage: $0 path/to/package.deb}
[ -f "$deb" ] || { echo "deb-test: $deb not found" >&2; exit 1; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")

pkg=libnginx-mod-http-usage-metering
so=/usr/lib/nginx/modules/ngx_http_usage_metering_module.so
avail=/usr/share/nginx/modules-available/mod-http-usage-metering.conf
enabled=/etc/nginx/modules-enabled/50-mod-http-usage-metering.conf
mapdir=/usr/share/nginx/usage-metering/mappings
doc=/usr/share/doc/$pkg
nginx=/usr/sbin/nginx

if [ "$(id -u)" != 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive

passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() {   # check "description" command...
    local what=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$what"; else fail "$what"; printf '%s\n' "$out" | sed 's/^/       /'; fi
}

installed() {
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"
}

tmp=$(mktemp -d /tmp/um-deb-test.XXXXXX)
state_before=$tmp/modules-enabled.before
state_after=$tmp/modules-enabled.after

snapshot() {   # the modules-enabled entries and where they point
    find /etc/nginx/modules-enabled -mindepth 1 -maxdepth 1 \
        -printf '%f -> %l\n' 2>/dev/null | sort
}

cleanup() {
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv "not-installed"; then
        $sudo dpkg -P "$pkg" >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

command -v "$nginx" >/dev/null || { echo "deb-test: $nginx missing (apt-get install nginx)" >&2; exit 1; }

# start from a machine without the package, so that the fresh-install path of
# the maintainer scripts (the modules-enabled link) is what gets tested
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv "not-installed"; then
    echo "deb-test: $pkg was installed already; purging it first"
    $sudo dpkg -P "$pkg" >/dev/null
fi
snapshot >"$state_before"

echo "# package: $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) $(dpkg-deb -f "$deb" Architecture)"
echo "# Depends: $(dpkg-deb -f "$deb" Depends)"

# --- the exact nginx ABI ----------------------------------------------------------
# dh_nginx puts nginx-abi-<version> (nginx-dev's nginx:abi) into Depends; the
# machine's nginx package Provides it, and another nginx build would not
depends=$(dpkg-deb -f "$deb" Depends)
abi=$(grep -o 'nginx-abi-[^ ,|()]*' <<<"$depends" || true)
check "Depends names the nginx ABI (nginx-abi-*): ${abi:-none}" \
    test "$(wc -w <<<"$abi")" = 1
want=$(sed -n 's/^nginx:abi=//p' /usr/share/nginx/src/debian/libnginx-mod.abisubstvars 2>/dev/null || true)
if [ -n "$want" ]; then
    check "nginx ABI dependency is nginx-dev's nginx:abi ($want)" \
        test "$abi" = "$want"
fi
check "the installed nginx Provides $abi" \
    bash -c "dpkg-query -W -f='\${Provides}\n' nginx | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx -- '${abi:-nginx-abi-none}'"

# --- install --------------------------------------------------------------------
if ! $sudo dpkg -i "$deb" >"$tmp/dpkg-i.log" 2>&1; then
    echo "# dpkg -i left dependencies unresolved; apt-get -f install"
    $sudo apt-get update -qq
    $sudo apt-get install -f -y -qq --no-install-recommends >>"$tmp/dpkg-i.log" 2>&1 || true
fi
if installed; then
    ok "dpkg -i $(basename "$deb")"
else
    fail "dpkg -i $(basename "$deb")"
    sed 's/^/       /' "$tmp/dpkg-i.log"
    echo "deb-test: $passed passed, $failed failed"
    exit 1
fi

# --- installed files --------------------------------------------------------------
check "module installed: $so" test -f "$so"
check "module links its libraries (ldd)" \
    bash -c "ldd '$so' | grep -E 'libjansson|libpcre2-8' | grep -v 'not found' | wc -l | grep -qx 2 && ! ldd '$so' | grep -q 'not found'"
check "load file: $avail" \
    bash -c "[ \"\$(cat '$avail')\" = 'load_module modules/ngx_http_usage_metering_module.so;' ]"
check "enabled: $enabled -> $avail" \
    bash -c "[ -L '$enabled' ] && [ \"\$(readlink '$enabled')\" = '$avail' ]"
check "mappings installed in $mapdir" \
    bash -c "ls '$mapdir'/*.json >/dev/null"
if [ -d "$repo/mappings" ]; then
    check "every mappings/*.json of the source is installed" \
        bash -c "cd '$repo/mappings' && for f in *.json; do cmp \"\$f\" '$mapdir'/\"\$f\" || exit 1; done"
fi
check "docs: README and nginx.conf.example in $doc" \
    bash -c "ls '$doc'/README.md* >/dev/null && test -f '$doc/examples/nginx.conf.example'"
check "dpkg -V $pkg (files as packaged)" $sudo dpkg -V "$pkg"

# --- nginx -t of the system configuration, which now loads the module ---------------
check "nginx -t (/etc/nginx/nginx.conf, module enabled)" $sudo "$nginx" -t -q
check "/etc/nginx/nginx.conf loads the module via modules-enabled" \
    bash -c "$sudo '$nginx' -T 2>/dev/null | grep -q '^load_module modules/ngx_http_usage_metering_module.so;'"

# --- nginx -t of nginx.conf.example with the installed paths -------------------------
# nginx.conf.example loads objs/... and reads `mappings` relative to the repo;
# point those at the package's files.  The other relative paths (logs and temp
# files under build/demo/, the sandbox root) resolve under a scratch prefix.
example=$repo/nginx.conf.example
conf=$tmp/prefix/nginx.conf
mkdir -p "$tmp/prefix/build/demo/logs" "$tmp/prefix/build/demo/tmp" "$tmp/prefix/sandbox"
sed -E \
    -e "s#^([[:space:]]*load_module[[:space:]]+)[^;[:space:]]*ngx_http_usage_metering_module\.so[[:space:]]*;#\1$so;#" \
    -e "s#^([[:space:]]*usage_metering_mappings[[:space:]]+)[^;[:space:]]+[[:space:]]*;#\1$mapdir;#" \
    "$example" >"$conf"
echo "# derived from nginx.conf.example:"
diff "$example" "$conf" | sed 's/^/#   /' || true
check "derived config uses $so" grep -Eq "^[[:space:]]*load_module[[:space:]]+$so;" "$conf"
check "derived config uses $mapdir" grep -Eq "^[[:space:]]*usage_metering_mappings[[:space:]]+$mapdir;" "$conf"
check "derived config has no other load_module" \
    bash -c "[ \$(grep -Ec '^[[:space:]]*load_module' '$conf') = 1 ]"
ngx_t() {   # nginx -t of a config under the scratch prefix
    $sudo "$nginx" -p "$tmp/prefix/" -c "$1" -t \
        -g "pid $tmp/prefix/nginx.pid; error_log $tmp/prefix/error.log notice;"
}
ngx_t_fails_on_dir() {   # nginx -t must fail, naming the directory
    local out
    if out=$(ngx_t "$1" 2>&1); then echo "$out"; return 1; fi
    echo "$out"
    grep -q "$2" <<<"$out"
}
check "nginx -t -c <nginx.conf.example with installed paths>" ngx_t "$conf"
# the module really reads the mappings directory: a missing one must fail
sed -E "s#^([[:space:]]*usage_metering_mappings[[:space:]]+)[^;]+;#\1$tmp/no-such-dir;#" \
    "$conf" >"$tmp/prefix/bad.conf"
check "nginx -t fails with a missing mappings directory" \
    ngx_t_fails_on_dir "$tmp/prefix/bad.conf" "$tmp/no-such-dir"

# --- purge --------------------------------------------------------------------
check "dpkg -P $pkg" $sudo dpkg -P "$pkg"
check "package gone" bash -c "! dpkg-query -W -f='\${Status}' $pkg 2>/dev/null | grep -q 'ok installed'"
check "module, load file and mappings removed" \
    bash -c "[ ! -e '$so' ] && [ ! -e '$avail' ] && [ ! -e '$mapdir' ]"
check "no modules-enabled link left (nor .removed)" \
    bash -c "[ ! -e '$enabled' ] && [ ! -L '$enabled' ] && [ ! -L '$enabled.removed' ]"
snapshot >"$state_after"
check "/etc/nginx/modules-enabled as before the test" diff -u "$state_before" "$state_after"
check "nginx -t (/etc/nginx/nginx.conf, after purge)" $sudo "$nginx" -t -q

echo "deb-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
