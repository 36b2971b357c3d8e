#!/usr/bin/env bash
# Installs the Debian packages Xinyong needs to build, test and run.
# Idempotent: when everything is present it prints nothing and exits 0.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsimdjson-dev libicu-dev libopencc-dev opencc
  libsodium-dev libtoml11-dev libcli11-dev libfmt-dev libspdlog-dev libjemalloc-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpq-dev
  # Credit reports (src/report): PDF with Chinese typography, QR codes; spreadsheet exports.
  libpango1.0-dev libcairo2-dev fonts-noto-cjk libqrencode-dev libxlsxwriter-dev
  # The fuzz targets (fuzz/, run by `make test`): clang 14 with libFuzzer and the sanitizer
  # runtimes (libclang-rt, only recommended by clang), llvm-symbolizer for readable stack traces.
  clang libclang-rt-14-dev llvm-14
)
# Extra groups, selected by arguments: `setup.sh bench` also installs the comparison servers.
for group in "$@"; do
  case "$group" in
    bench) PACKAGES+=(postgresql-15 postgresql-client-15 sqlite3 libsqlite3-dev wrk time bc python3 curl) ;;
    node) command -v npm >/dev/null || PACKAGES+=(nodejs npm) ;;
    # The browser tests (tests/e2e): headless Chromium driven by playwright-core from npm.
    browser) PACKAGES+=(chromium chromium-driver) ;;
    *) echo "setup.sh: unknown package group '$group' (known: bench, node, browser)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; refresh them once when an install fails.
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/xinyong-setup.log 2>&1; then
  $SUDO apt-get update -q >>/tmp/xinyong-setup.log 2>&1
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/xinyong-setup.log 2>&1 || {
    echo "setup: apt-get install failed; see /tmp/xinyong-setup.log" >&2
    tail -20 /tmp/xinyong-setup.log >&2
    exit 1
  }
fi
