#!/usr/bin/env bash
# Whole-tool benchmarks: scripts/bench.sh BIN_DIR [suite ...]
# Inputs are generated once into bench-data/ (about 1 GB each) and kept.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1; shift
exec go run ./tests/benchrun -bin "$bin" -data "${BENCH_DATA:-bench-data}" -runs "${BENCH_RUNS:-5}" -doc docs/performance.md "$@"
