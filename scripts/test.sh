#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite:
#   1. scripts/deps.sh                    (installs missing Debian packages)
#   2. `ci` preset: GCC release build, warnings as errors, LiteRT.js (npm ci) for the conformance
#      tests, ctest
#   3. benchmarks (figures only: they print, they don't judge)
#   4. `asan` preset: Clang ASan+UBSan build (no GUI), ctest
#   5. libFuzzer on the model reader for QS_FUZZ_SECONDS (default 60) if it was built
# Exits non-zero on the first failure. Environment knobs:
#   QS_SHARED_DIR    shared corpus folder (default ../shared beside the repo; read-only is fine)
#   QS_FUZZ_SECONDS  fuzzing time budget in seconds (default 60; 0 skips fuzzing)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export QT_QPA_PLATFORM=offscreen
FUZZ_SECONDS=${QS_FUZZ_SECONDS:-60}
SHARED_DIR=${QS_SHARED_DIR:-../shared}

# Pass QS_SHARED_DIR to CMake only when the caller set it (the CMake default is ../shared too).
CONFIGURE_ARGS=()
if [[ -n "${QS_SHARED_DIR:-}" ]]; then
  CONFIGURE_ARGS+=("-DQS_SHARED_DIR=$(realpath -m "$QS_SHARED_DIR")")
fi

SUMMARY=()
TOTAL_PASSED=0 TOTAL_FAILED=0 TOTAL_SKIPPED=0
TMP_DIRS=()

finish() {
  local rc=$?
  ((${#TMP_DIRS[@]} == 0)) || rm -rf "${TMP_DIRS[@]}"
  echo
  echo "==== scripts/test.sh summary ===="
  ((${#SUMMARY[@]} == 0)) || printf '%s\n' "${SUMMARY[@]}"
  if ((rc == 0)); then echo "result: all stages passed"; else echo "result: FAILED (exit $rc)"; fi
  echo "tests: ${TOTAL_PASSED} passed, ${TOTAL_FAILED} failed, ${TOTAL_SKIPPED} skipped"
}
trap finish EXIT

# stage NAME COMMAND...: runs one step, records a PASS/FAIL line, stops the script on failure.
stage() {
  local name=$1; shift
  local t0=$SECONDS rc=0
  echo
  echo "==> [$name] $*"
  "$@" || rc=$?
  local line
  line=$(printf '%-5s %-16s %4ds' "$([[ $rc == 0 ]] && echo PASS || echo FAIL)" "$name" $((SECONDS - t0)))
  SUMMARY+=("$line")
  echo "$line"
  if ((rc != 0)); then exit "$rc"; fi
}

skip() {
  local line
  line=$(printf '%-5s %-16s  %s' SKIP "$1" "$2")
  SUMMARY+=("$line")
  echo "$line"
}

# run_ctest PRESET: runs ctest and adds its counts to the totals.
run_ctest() {
  local log rc=0
  log=$(mktemp)
  TMP_DIRS+=("$log")
  ctest --preset "$1" 2>&1 | tee "$log" || rc=$?
  local total=0 failed=0 skipped=0 counts
  counts=$(sed -n -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/p' "$log" | tail -n 1)
  if [[ -n "$counts" ]]; then
    read -r failed total <<<"$counts"
  fi
  skipped=$(grep -c -F '***Skipped' "$log" || true)
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  TOTAL_SKIPPED=$((TOTAL_SKIPPED + skipped))
  local passed=$((total - failed - skipped))
  TOTAL_PASSED=$((TOTAL_PASSED + (passed > 0 ? passed : 0)))
  if ((total == 0)); then echo "note: ctest --preset $1 found no tests"; fi
  return "$rc"
}

# run_fuzz BINARY: fuzzes for FUZZ_SECONDS over a throw-away corpus seeded from the shared models
# and tests/fuzz/seeds. Fails if libFuzzer reports a crash, leak, timeout or OOM.
run_fuzz() {
  local fuzzer=$1 work rc=0
  work=$(mktemp -d "${TMPDIR:-/tmp}/qs-fuzz.XXXXXX") || return 1
  TMP_DIRS+=("$work")
  mkdir -p "$work/corpus" "$work/seeds/shared" "$work/seeds/repo" "$work/artifacts" || return 1
  if [[ -d "$SHARED_DIR/models" ]]; then
    find "$SHARED_DIR/models" -maxdepth 1 -type f \( -name '*.tflite' -o -name '*.bin' \) \
      -exec cp -t "$work/seeds/shared" {} + || return 1
  else
    echo "note: $SHARED_DIR/models not found; fuzzing without shared seeds"
  fi
  if [[ -d tests/fuzz/seeds ]]; then
    find tests/fuzz/seeds -type f -exec cp -t "$work/seeds/repo" {} + || return 1
  fi
  echo "seeds: $(find "$work/seeds" -type f | wc -l) files; budget ${FUZZ_SECONDS}s"
  # New inputs go to the first (writable, temporary) corpus dir; artefacts stay in $work.
  (cd "$work" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$fuzzer" -max_total_time="$FUZZ_SECONDS" -timeout=30 -close_fd_mask=3 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$work/seeds") \
    >"$work/fuzz.log" 2>&1 </dev/null || rc=$?
  if ((rc != 0)) || [[ -n "$(ls -A "$work/artifacts")" ]]; then
    tail -n 80 "$work/fuzz.log"
    local keep="$ROOT/build/asan/fuzz-artifacts"
    rm -rf "$keep" && mkdir -p "$keep" && cp -a "$work/artifacts/." "$keep/" && cp "$work/fuzz.log" "$keep/"
    echo "fuzzer failed (exit $rc); reproducer(s) and log kept in $keep:"
    ls -l "$keep"
    return $((rc != 0 ? rc : 1))
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/fuzz.log" || true
}

# install_litert PRESET: LiteRT.js for the conformance tests (tests/conformance), installed with
# `npm ci` from the pinned lock file into build/PRESET/conformance/node_modules, where the tests
# look for it. Skipped when that install already matches the lock file, so a machine without
# network can re-run the suite (npm's cache also serves --prefer-offline).
install_litert() {
  local dest="build/$1/conformance"
  mkdir -p "$dest" || return 1
  if [[ -f "$dest/node_modules/@litertjs/core/package.json" ]] &&
    cmp -s tests/conformance/package-lock.json "$dest/package-lock.json"; then
    echo "LiteRT.js already installed in $dest"
    return 0
  fi
  cp tests/conformance/package.json tests/conformance/package-lock.json "$dest/" &&
    (cd "$dest" && npm ci --no-audit --no-fund --prefer-offline)
}

stage deps bash scripts/deps.sh

stage "ci configure" cmake --preset ci "${CONFIGURE_ARGS[@]}"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  stage "ci litert.js" install_litert ci
else
  skip "ci litert.js" "node/npm not found: the conformance tests will skip"
fi
stage "ci build" cmake --build --preset ci
stage "ci tests" run_ctest ci

# Figures, not pass/fail: printed so every CI log carries them.
for bench in bench_info bench_graph_view bench_runtime bench_kernels bench_calibration; do
  if [[ -x build/ci/tests/bench/$bench ]]; then
    stage "$bench" "build/ci/tests/bench/$bench"
  else
    skip "$bench" "build/ci/tests/bench/$bench not built"
  fi
done

stage "asan configure" cmake --preset asan "${CONFIGURE_ARGS[@]}"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  stage "asan litert.js" install_litert asan
else
  skip "asan litert.js" "node/npm not found: the conformance tests will skip"
fi
stage "asan build" cmake --build --preset asan
stage "asan tests" run_ctest asan

FUZZER=build/asan/tests/fuzz/fuzz_model_reader
if ((FUZZ_SECONDS <= 0)); then
  skip fuzz "QS_FUZZ_SECONDS=0"
elif [[ -x "$FUZZER" ]]; then
  stage fuzz run_fuzz "$ROOT/$FUZZER"
else
  skip fuzz "$FUZZER not built"
fi
