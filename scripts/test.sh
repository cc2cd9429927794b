#!/usr/bin/env bash
# make test's runner: every package's tests with the race detector, shown
# one line per package by gotestsum, with the output of each failing test;
# then every fuzz target for a short while, one line each; then one line
# "test: N passed, N failed, N skipped" counting tests, subtests and fuzz
# targets. Exit status 1 when anything failed.
# Usage: scripts/test.sh GOTESTSUM FUZZTIME
set -uo pipefail
cd "$(dirname "$0")/.."
gotestsum=$1
fuzztime=${2:-3s}
json=$(mktemp)
log=$(mktemp)
trap 'rm -f "$json" "$log"' EXIT
# the tools the tests run are the ones make build made
export PCAPPUSH_BIN=$PWD/bin

echo "== 1/2 unit and end-to-end tests: go test -race ./... (loopback S3, SFTP, FTP, SMB, Azure, GCS and Prometheus servers; several minutes)"
if [ -n "${PCAPPUSH_DEB:-}" ]; then
  echo "   with the Debian package test of $PCAPPUSH_DEB (CI is set: installed on this machine)"
fi
start=$SECONDS
"$gotestsum" --format pkgname-and-test-fails --format-hide-empty-pkg --jsonfile "$json" -- \
  -race -count=1 -timeout 20m ./...
echo "   tests took $((SECONDS - start)) s"

count() { grep -c "\"Action\":\"$1\",\"Package\":\"[^\"]*\",\"Test\":" "$json"; }
passed=$(count pass)
failed=$(count fail)
skipped=$(count skip)
# a package that fails without a failing test (a build error, a panic in
# TestMain, a timeout) counts as one failure
for pkg in $(grep -o '"Action":"fail","Package":"[^"]*","Elapsed"' "$json" | cut -d'"' -f8 | sort -u); do
  if ! grep -q "\"Action\":\"fail\",\"Package\":\"$pkg\",\"Test\":" "$json"; then
    failed=$((failed + 1))
  fi
done

echo "== 2/2 fuzzing: every fuzz target for $fuzztime (make fuzz runs them longer)"
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    fuzz() { go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 10s "$pkg" >"$log" 2>&1; }
    # Go's fuzzer can end a run on a busy machine with "context deadline
    # exceeded" and no failing input: that run is tried once more
    if fuzz || { ! grep -q 'Failing input written to' "$log" && grep -q 'context deadline exceeded' "$log" && fuzz; }; then
      echo "   ok   ${pkg#github.com/pcappush/pcappush/} $target"
      passed=$((passed + 1))
    else
      echo "   FAIL ${pkg#github.com/pcappush/pcappush/} $target"
      sed 's/^/        /' "$log"
      failed=$((failed + 1))
    fi
  done
done

echo "test: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
