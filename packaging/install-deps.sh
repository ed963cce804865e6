#!/usr/bin/env bash
# Installs the Debian 12 packages tidemark needs to build, test, demo and
# (with --bench) benchmark.  Idempotent: when everything is present it
# touches nothing and does not even refresh the package lists.
#   packaging/install-deps.sh [--bench] [--browser] [--deb]
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  # PostgreSQL 15: server (the decoder runs inside it), PGXS headers,
  # pg_regress, client library and tools
  postgresql-15 postgresql-server-dev-15 postgresql-client-15 libpq-dev
  # the agent's libraries (the design card's: Boost, toml++, spdlog)
  libboost-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  # tests (openssl: certificates for the clusters that test TLS)
  libgtest-dev libgmock-dev tzdata procps openssl
)
for arg in "$@"; do
  case "$arg" in
    # the peers the benchmarks compare against, and what drives them
    --bench) packages+=(postgresql-15-wal2json postgresql-15-decoderbufs pgcopydb time) ;;
    --browser) packages+=(chromium) ;;
    # dpkg-buildpackage for packaging/build-deb.sh
    --deb) packages+=(debhelper dpkg-dev) ;;
    *) echo "install-deps: unknown argument '$arg' (valid: --bench, --browser, --deb)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo=sudo; else
    echo "install-deps: missing packages: ${missing[*]}; run this script as root to install them" >&2
    exit 1
  fi
else
  sudo=
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# postgresql-common would create and start a "main" cluster on port 5432;
# tidemark's tests and demo start their own throwaway clusters instead.
if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
  $sudo mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$sudo apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
