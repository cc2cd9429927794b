#!/usr/bin/env bash
# Runs every fuzz target in the module for the given time each (default 1m).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-1m}
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $target ($t)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" -fuzzminimizetime 10s "$pkg"
  done
done
