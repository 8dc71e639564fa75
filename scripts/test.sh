#!/usr/bin/env bash
# THE test command: installs dependencies, builds and runs the unit tests under ASan/UBSan
# (debug preset), builds the release binary and runs the end-to-end suite against it.
#
# Environment:
#   OTTER_SKIP_SETUP=1   don't run scripts/setup.sh
#   OTTER_SKIP_UNIT=1    skip the debug build + ctest
#   OTTER_SKIP_E2E=1     skip the end-to-end suite
#   OTTER_SKIP_FUZZ=1    skip the libFuzzer smoke runs
#   PYTEST_ARGS="..."    extra arguments for pytest (e.g. "-k kcat -x")
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${JOBS:-2}
step() { printf '\n=== %s (%s)\n' "$*" "$(date +%T)"; }
status=0

if [[ ${OTTER_SKIP_SETUP:-0} != 1 ]]; then
  step "setup"
  bash scripts/setup.sh
fi

if [[ ${OTTER_SKIP_UNIT:-0} != 1 ]]; then
  step "debug build (ASan/UBSan)"
  cmake --preset debug
  cmake --build --preset debug -j "$JOBS"
  step "unit tests: ctest --preset debug"
  # A timeout per test is set by otter_test() in CMake; this bounds the whole run.
  timeout 1800 ctest --preset debug -j "$JOBS" --timeout 600 || status=1
fi

if [[ ${OTTER_SKIP_FUZZ:-0} != 1 ]]; then
  step "fuzz smoke tests (clang-14 + libFuzzer, 20 s per target)"
  cmake --preset fuzz
  cmake --build --preset fuzz -j "$JOBS" --target kafka_request_fuzz record_batch_fuzz iceberg_reader_fuzz s3_response_fuzz
  timeout 600 ctest --test-dir build-fuzz/fuzz --output-on-failure || status=1
fi

step "release build"
cmake --preset release
cmake --build --preset release -j "$JOBS"
test -x build/otter || { echo "build/otter was not produced" >&2; exit 1; }

step "installed package: a job built with find_package(Otter)"
bash tests/install/check.sh build || status=1

if [[ ${OTTER_SKIP_E2E:-0} != 1 ]]; then
  step "end-to-end tests: pytest tests/e2e"
  # Debian's Python has the Debian packages (confluent_kafka, pytest, pytest-timeout); a pyenv
  # python3 earlier on PATH would not.
  # shellcheck disable=SC2086
  timeout 3000 /usr/bin/python3 -m pytest -v --timeout=180 tests/e2e ${PYTEST_ARGS:-} || status=1
fi

if ((status)); then
  step "FAILED"
else
  step "all tests passed"
fi
exit "$status"
