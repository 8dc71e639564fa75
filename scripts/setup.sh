#!/usr/bin/env bash
# Installs everything Otter needs to build and test. Idempotent: when every package is
# already installed it touches neither apt nor the network (apart from `npm ci` in tests/e2e,
# which is skipped when node_modules matches the lock file).
#
#   scripts/setup.sh            build + test dependencies (apt) and the e2e npm packages
#   scripts/setup.sh --build    build dependencies only (used by scripts/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=all
case "${1:-}" in
  --build) mode=build ;;
  "" | --all) ;;
  *) echo "usage: $0 [--build]" >&2; exit 2 ;;
esac

# Needed to build build/otter (release and debug presets).
build_pkgs=(
  cmake ninja-build g++ pkg-config ccache
  libasio-dev libcli11-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  zlib1g-dev libzstd-dev libsnappy-dev liblz4-dev librdkafka-dev libcpp-httplib-dev
  nlohmann-json3-dev libcurl4-openssl-dev libssl-dev
)
# Needed by unit tests, fuzz targets, benchmarks and the end-to-end suite.
test_pkgs=(
  libgtest-dev libbenchmark-dev clang-14 libclang-rt-14-dev
  kcat python3-confluent-kafka python3-pytest python3-pytest-timeout
  # Burrow check of __consumer_offsets (tests/e2e/test_groups.py starts its own ZooKeeper, so
  # the zookeeper package, not the zookeeperd service).
  burrow zookeeper
)

pkgs=("${build_pkgs[@]}")
[[ $mode == all ]] && pkgs+=("${test_pkgs[@]}")
# node/npm: only when the machine has no node at all (many have a newer one already).
if [[ $mode == all ]] && ! command -v node >/dev/null 2>&1; then
  pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#pkgs[@]} apt packages present"
fi

if [[ $mode == all ]]; then
  e2e=tests/e2e
  stamp=$e2e/node_modules/.otter-lock-stamp
  if [[ -f $stamp && -d $e2e/node_modules/kafkajs ]] && cmp -s "$stamp" "$e2e/package-lock.json"; then
    echo "setup: tests/e2e/node_modules up to date"
  else
    echo "setup: npm ci in $e2e"
    if [[ -f $e2e/package-lock.json ]]; then
      (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$e2e" && npm install --no-audit --no-fund --loglevel=error)
    fi
    cp "$e2e/package-lock.json" "$stamp"
  fi
fi
echo "setup: done"
