#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed, for the explorer's end-to-end test
# (test/e2e/explorer.test.ts drives /usr/bin/chromium with playwright-core; no browser is
# downloaded by npm). Idempotent: prints the version and exits at once when it is there.
# Needs root (apt-get) on Debian/Ubuntu. Usage: bash scripts/chromium.sh
set -euo pipefail

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }

if installed chromium && installed fonts-dejavu-core && [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null | head -n 1))"
  exit 0
fi
command -v apt-get >/dev/null || { echo "chromium: no apt-get here; install Chromium yourself (HIVEGRAPH_CHROMIUM=/path/to/chrome)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "chromium: run as root to apt-get install chromium" >&2; exit 1; }

started=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {
  if ! "$@" </dev/null >>"$log" 2>&1; then
    echo "chromium: '$*' failed; last lines:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}
export DEBIAN_FRONTEND=noninteractive
# Try with the lists the machine has; refresh them only when that fails (stale or none).
if ! apt-get install -y --no-install-recommends chromium fonts-dejavu-core </dev/null >>"$log" 2>&1; then
  run apt-get update
  run apt-get install -y --no-install-recommends chromium fonts-dejavu-core
fi
echo "chromium: installed $(/usr/bin/chromium --version 2>/dev/null | head -n 1) in $(( $(date +%s) - started ))s"
