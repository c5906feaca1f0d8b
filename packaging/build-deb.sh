#!/usr/bin/env bash
# Build the Debian package libnginx-mod-http-usage-metering with Debian's own
# tooling (debhelper + dh-sequence-nginx from nginx-dev), unsigned.
#
#   packaging/build-deb.sh [OUTDIR]      (default OUTDIR: <repo>/build/deb)
#
# The source is copied into OUTDIR/src first (the files git knows about, or
# would know about, minus the tests and the repository's own Makefile), so
# the build never writes into the work tree and never uses objs/ or the top
# Makefile.  The .deb, .buildinfo and .changes land in OUTDIR.  Missing build
# dependencies (from debian/control) are installed with apt-get; as root, or
# through sudo.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src

if [ "$(id -u)" != 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive

apt_updated=
apt_install() {
    if [ -z "$apt_updated" ]; then
        $sudo apt-get update -qq
        apt_updated=1
    fi
    $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# dpkg-dev provides dpkg-buildpackage and dpkg-checkbuilddeps; the rest comes
# from debian/control below
if ! command -v dpkg-checkbuilddeps >/dev/null \
   || ! command -v dpkg-buildpackage >/dev/null; then
    echo "installing: dpkg-dev"
    apt_install dpkg-dev
fi

# --- a clean copy of the source ------------------------------------------
rm -rf "$src"
mkdir -p "$src"

# top-level entries the package build does not need
skip='^(t|bench|fuzz|packaging|sandbox|\.ci|build|objs)(/|$)|^Makefile$'

list_files() {
    if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # tracked and untracked-but-not-ignored files that exist right now
        git -C "$repo" ls-files -z --cached --others --exclude-standard \
            | while IFS= read -r -d '' f; do
                  [ -e "$repo/$f" ] || [ -L "$repo/$f" ] || continue
                  printf '%s\0' "$f"
              done
    else
        (cd "$repo" && find . -mindepth 1 \
            \( -name .git -o -path ./build -o -path ./objs \
               -o -path './t/servroot*' -o -name node_modules \) -prune \
            -o \( -type f -o -type l \) -printf '%P\0')
    fi
}

list_files | grep -zEv "$skip" | sort -zu \
    | tar -C "$repo" --null -T - -cf - | tar -C "$src" -xf -

for f in config debian/control debian/rules debian/changelog; do
    [ -e "$src/$f" ] || { echo "build-deb: $f missing from the source copy" >&2; exit 1; }
done

# --- build dependencies -----------------------------------------------------
cd "$src"
if ! dpkg-checkbuilddeps >/dev/null 2>&1; then
    echo "installing the build dependencies of debian/control"
    $sudo apt-get update -qq
    apt_updated=1
    $sudo apt-get build-dep -y -qq --no-install-recommends "$src" >/dev/null
    dpkg-checkbuilddeps
fi

# --- build ------------------------------------------------------------------
pkg=$(dpkg-parsechangelog -S Source)
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)

# files of an earlier build of this version
rm -f "$out"/libnginx-mod-http-usage-metering*_"${version}"_*.deb \
      "$out/${pkg}_${version}_${arch}.buildinfo" \
      "$out/${pkg}_${version}_${arch}.changes"

log=$out/build.log
echo "dpkg-buildpackage -b -us -uc in $src (log: $log)"
if ! dpkg-buildpackage -b -us -uc >"$log" 2>&1; then
    tail -40 "$log"
    echo "build-deb: dpkg-buildpackage failed, see $log" >&2
    exit 1
fi

deb=$out/libnginx-mod-http-usage-metering_${version}_${arch}.deb
[ -f "$deb" ] || { echo "build-deb: $deb was not built" >&2; exit 1; }
echo "built $deb"
