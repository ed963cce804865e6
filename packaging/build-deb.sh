#!/usr/bin/env bash
# Builds the Debian packages postgresql-15-tidemark and tidemark (plus their
# -dbgsym packages) with dpkg-buildpackage and copies them to build/deb/.
#
#   packaging/build-deb.sh [--head] [--out DIR]
#
# The packages are built from a copy of the repository with packaging/debian
# placed as debian/, so the tree itself never holds a debian/ directory or
# build products of the package build.
#   default   the working tree as it is: tracked files and new files git does
#             not ignore (uncommitted work is packaged)
#   --head    exactly the committed HEAD (git archive), for releases
# DEB_BUILD_OPTIONS passes through: nocheck skips the agent's unit tests,
# parallel=N defaults to the number of CPUs.  The build log is kept next to
# the packages as build-deb.log.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/deb
from_head=false

die() { echo "build-deb: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --head) from_head=true ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (valid: --head, --out DIR)" ;;
  esac
  shift
done

for tool in dpkg-buildpackage dpkg-parsechangelog dh; do
  command -v "$tool" >/dev/null ||
    die "$tool not found; install the build tools: apt-get install dpkg-dev debhelper"
done

# The package version and the agent's own (CMake project VERSION, printed by
# `tidemark --version`) must agree, or the packages would lie about what
# they hold.
deb_version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)
upstream_version=${deb_version%-*}
upstream_version=${upstream_version#*:}
cmake_version=$(sed -n 's/^project(tidemark VERSION \([0-9][0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[ -n "$cmake_version" ] || die "cannot read the project VERSION from CMakeLists.txt"
[ "$upstream_version" = "$cmake_version" ] ||
  die "packaging/debian/changelog says $deb_version but CMakeLists.txt says $cmake_version; add a changelog entry (dch -v $cmake_version)"

work=$(mktemp -d /tmp/tidemark-deb.XXXXXX)
keep_work=false
cleanup() { if ! $keep_work; then rm -rf "$work"; fi; }
trap cleanup EXIT

src=$work/tidemark-$upstream_version
mkdir -p "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if $from_head; then
    git -C "$root" archive --format=tar HEAD | tar -x -C "$src"
  else
    # Tracked files deleted in the working tree are skipped: the copy is
    # what a build of the working tree would see.
    (
      cd "$root"
      git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -
    ) | tar -x -C "$src"
  fi
else
  $from_head && die "--head needs a git checkout"
  tar -C "$root" --exclude=./build --exclude=./.git --exclude='*.o' --exclude='*.so' --exclude=./debian -cf - . |
    tar -x -C "$src"
fi
rm -rf "$src/debian"
cp -a "$root/packaging/debian" "$src/debian"

if [[ " ${DEB_BUILD_OPTIONS:-} " != *" parallel="* ]]; then
  export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc 2>/dev/null || echo 2)"
fi

mkdir -p "$out"
log=$out/build-deb.log
echo "build-deb: building $deb_version in $src (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)" >&2
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
  keep_work=true
  tail -n 40 "$log" >&2
  die "dpkg-buildpackage failed; full log: $log, build tree kept in $work"
fi

rm -f "$out"/*.deb
shopt -s nullglob
debs=("$work"/*.deb)
[ ${#debs[@]} -gt 0 ] || die "dpkg-buildpackage produced no .deb files; see $log"
cp "${debs[@]}" "$out"/
for deb in "${debs[@]}"; do echo "$out/$(basename "$deb")"; done
