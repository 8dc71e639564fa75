#!/usr/bin/env bash
# Installs the release build into a temporary prefix, builds tests/install (a job using
# find_package(Otter)) against it and runs it. Usage: tests/install/check.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S tests/install -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$work/consumer" -j "${JOBS:-2}"
"$work/consumer/installed_job"
