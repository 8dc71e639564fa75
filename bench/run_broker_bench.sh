#!/usr/bin/env bash
# Broker benchmarks with same-run baselines. Prints a Markdown table of medians and ratios.
#
#   bash bench/run_broker_bench.sh            # from the repository root; needs build/otter
#
# Starts build/otter on free loopback ports with a fresh data dir under /tmp, then, RUNS times
# each (default 3), interleaved so that machine noise spreads over all configurations:
#   - fsync_baseline in the data dir's filesystem (fdatasync'd sequential write bandwidth,
#     plain and pipelined; 4 KiB and 1 KiB fdatasync latency; page-cache write bandwidth;
#     loopback TCP bandwidth);
#   - broker_load produce, 1 KiB records, acks=1 and acks=all, 1 and 6 partitions;
#   - broker_load consume of the 1- and 6-partition acks=all topics (the 6-partition one also
#     with fetch.max.bytes=1 MiB);
#   - a fixed-rate latency run (acks=all and acks=1, linger.ms=0);
#   - the same produce runs against librdkafka's mock cluster (in memory, no fsync: an upper
#     bound for the client and protocol path).
# Reports medians, stops everything it started by PID and removes the data dir. < 5 minutes.
#
# Environment: OTTER (broker binary, default build/otter), BENCH_BIN (directory holding
# broker_load and fsync_baseline; default build/bench if built there, else compiled with g++
# into the work dir), RUNS (3), RECORDS (300000 per throughput run), SIZE (1024),
# LAT_RATE (2000 records/s), LAT_SECONDS (5), BASE_SECONDS (2 per baseline test),
# WORK (work dir, default a fresh /tmp/otter-bench.XXXXXX; kept, with raw results).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OTTER="${OTTER:-$ROOT/build/otter}"
RUNS="${RUNS:-3}"
RECORDS="${RECORDS:-300000}"
SIZE="${SIZE:-1024}"
LAT_RATE="${LAT_RATE:-2000}"
LAT_SECONDS="${LAT_SECONDS:-5}"
BASE_SECONDS="${BASE_SECONDS:-2}"
WORK="${WORK:-$(mktemp -d /tmp/otter-bench.XXXXXX)}"
mkdir -p "$WORK"
DATA="$WORK/data"
RAW="$WORK/results.txt"
: >"$RAW"
OTTER_PID=""

log() { echo "[bench $(date +%T)] $*" >&2; }

cleanup() {
  if [[ -n "$OTTER_PID" ]] && kill -0 "$OTTER_PID" 2>/dev/null; then
    kill -TERM "$OTTER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$OTTER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$OTTER_PID" 2>/dev/null; then kill -KILL "$OTTER_PID" 2>/dev/null || true; fi
    wait "$OTTER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x "$OTTER" ]] || { echo "no broker binary at $OTTER (build it first)" >&2; exit 1; }

# --- the tools -------------------------------------------------------------------------------
if [[ -z "${BENCH_BIN:-}" ]]; then
  if [[ -x "$ROOT/build/bench/broker_load" && -x "$ROOT/build/bench/fsync_baseline" ]]; then
    BENCH_BIN="$ROOT/build/bench"
  else
    BENCH_BIN="$WORK/bin"
    mkdir -p "$BENCH_BIN"
    log "compiling broker_load and fsync_baseline into $BENCH_BIN"
    # shellcheck disable=SC2046  # pkg-config output is meant to split into flags
    "${CXX:-g++}" -O2 -std=c++20 -o "$BENCH_BIN/broker_load" "$ROOT/bench/broker_load.cc" \
      $(pkg-config --cflags --libs rdkafka) -pthread
    "${CXX:-g++}" -O2 -std=c++20 -o "$BENCH_BIN/fsync_baseline" "$ROOT/bench/fsync_baseline.cc" -pthread
  fi
fi
LOAD="$BENCH_BIN/broker_load"
BASE="$BENCH_BIN/fsync_baseline"

# --- the broker ------------------------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
KPORT="$(free_port)"
APORT="$(free_port)"
while [[ "$APORT" == "$KPORT" ]]; do APORT="$(free_port)"; done
rm -rf "$DATA"
mkdir -p "$DATA"
log "starting $OTTER on 127.0.0.1:$KPORT (admin $APORT), data $DATA"
"$OTTER" serve --data-dir "$DATA" --kafka-addr "127.0.0.1:$KPORT" \
  --admin-addr "127.0.0.1:$APORT" --log-level warn >"$WORK/otter.log" 2>&1 &
OTTER_PID=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$APORT/v1/status/ready" >/dev/null 2>&1 && break
  kill -0 "$OTTER_PID" 2>/dev/null || { cat "$WORK/otter.log" >&2; exit 1; }
  sleep 0.1
done
BROKERS="127.0.0.1:$KPORT"

metric() {  # metric NAME_REGEX -> value (0 if absent)
  curl -fs "http://127.0.0.1:$APORT/metrics" | awk -v re="$1" '$0 !~ /^#/ && $1 ~ re {v=$2} END {print v+0}'
}
flush_rounds() { metric '^otter_storage_flush_rounds_total$'; }
produce_reqs() { metric '^otter_kafka_requests_total\{api="Produce"\}$'; }

# record NAME RUN RESULT-LINE: stores "NAME RUN key=value ..." in $RAW
record() { echo "$1 $2 ${3#RESULT }" >>"$RAW"; }

# load NAME RUN ARGS...: one broker_load run; on broker runs also records the flush rounds and
# Produce requests it caused.
load() {
  local name=$1 run=$2; shift 2
  local f0 p0 out
  f0=$(flush_rounds); p0=$(produce_reqs)
  out=$(timeout 120 "$LOAD" "$@" --timeout 90 | tail -n 1)
  [[ "$out" == RESULT* ]] || { echo "broker_load $* failed" >&2; exit 1; }
  if [[ " $* " != *" --mock "* ]]; then
    out="$out flush_rounds=$(( $(flush_rounds) - f0 )) produce_reqs=$(( $(produce_reqs) - p0 ))"
  fi
  record "$name" "$run" "$out"
  log "$name #$run: ${out#RESULT }"
}

START=$(date +%s)
LOAD_BEFORE="$(cat /proc/loadavg)"
for run in $(seq "$RUNS"); do
  log "run $run of $RUNS: baselines"
  out=$(timeout 60 "$BASE" --dir "$DATA" --seconds "$BASE_SECONDS" | tail -n 1)
  record baseline "$run" "$out"
  log "baseline #$run: ${out#RESULT }"
  for p in 1 6; do
    load "broker_acks1_p$p" "$run" produce -b "$BROKERS" -t "a1p$p-$run" -p "$p" -n "$RECORDS" -s "$SIZE" --acks 1 -q
    load "broker_acksall_p$p" "$run" produce -b "$BROKERS" -t "aallp$p-$run" -p "$p" -n "$RECORDS" -s "$SIZE" --acks all -q
    load "mock_acks1_p$p" "$run" produce --mock -t "m" -p "$p" -n "$RECORDS" -s "$SIZE" --acks 1 -q
    load "broker_consume_p$p" "$run" consume -b "$BROKERS" -t "aallp$p-$run" -n "$RECORDS" -q
  done
  # librdkafka's default fetch.max.bytes (50 MB) lets one Fetch carry 1 MiB from every
  # partition; the same read with ~1 MiB responses shows how much the response size matters.
  load broker_consume_p6_fmb1m "$run" consume -b "$BROKERS" -t "aallp6-$run" -n "$RECORDS" -q --set fetch.max.bytes=1048576
  load mock_acksall_p1 "$run" produce --mock -t m -p 1 -n "$RECORDS" -s "$SIZE" --acks all -q
  lat_n=$(( LAT_RATE * LAT_SECONDS ))
  load broker_lat_acksall "$run" produce -b "$BROKERS" -t "latall-$run" -p 1 -n "$lat_n" -s "$SIZE" --acks all --linger-ms 0 --rate "$LAT_RATE" -q
  load broker_lat_acks1 "$run" produce -b "$BROKERS" -t "lat1-$run" -p 1 -n "$lat_n" -s "$SIZE" --acks 1 --linger-ms 0 --rate "$LAT_RATE" -q
  load mock_lat_acksall "$run" produce --mock -t m -p 1 -n "$lat_n" -s "$SIZE" --acks all --linger-ms 0 --rate "$LAT_RATE" -q
  # Segments from earlier runs are not needed again; keep the page cache and disk use small.
  rm -rf "$DATA"/kafka/*-"$run" 2>/dev/null || true
done
LOAD_AFTER="$(cat /proc/loadavg)"
ELAPSED=$(( $(date +%s) - START ))

# --- the report ------------------------------------------------------------------------------
# med NAME KEY -> median of KEY over the runs of NAME; all NAME KEY -> the values, space-separated
vals() { awk -v n="$1" -v k="$2" '$1 == n { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$RAW"; }
med() { vals "$1" "$2" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
all() { vals "$1" "$2" | awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 } END { print "" }'; }
all1() { vals "$1" "$2" | awk '{ printf "%s%.1f", (NR > 1 ? ", " : ""), $1 } END { print "" }'; }
sum() { vals "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'; }
fmt() { awk -v x="$1" -v f="$2" 'BEGIN { printf f, x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# pratio NAME_A KEY_A NAME_B KEY_B -> median over runs of A(run)/B(run), then the per-run ratios:
# each pair ran within seconds of each other, so this cancels more of the machine's drift.
pratio() {
  awk -v na="$1" -v ka="$2" -v nb="$3" -v kb="$4" '
    function get(k,   i, kv) { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
    $1 == na { a[$2] = get(ka) } $1 == nb { b[$2] = get(kb) }
    END {
      n = 0
      for (r in a) if ((r in b) && b[r] > 0) v[++n] = a[r] / b[r]
      if (n == 0) { print "n/a | n/a"; exit }
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      printf "%.2f |", m
      for (i = 1; i <= n; i++) printf "%s%.2f", (i > 1 ? ", " : " "), v[i]
      print ""
    }' "$RAW"
}

echo "## Broker benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "$(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, kernel $(uname -r), data dir on" \
  "$(df -T "$WORK" | awk 'NR == 2 {print $2 " (" $1 ")"}'); loadavg before: $LOAD_BEFORE; after: $LOAD_AFTER;" \
  "$RUNS runs, ${ELAPSED}s; $RECORDS records of $SIZE B per throughput run. MB = 10^6 B of record values."
echo
echo "| benchmark | median | unit | runs |"
echo "|---|---:|---|---|"
row() { echo "| $1 | $(fmt "$(med "$2" "$3")" "$4") | $5 | $($6 "$2" "$3") |"; }
row "fdatasync'd seq write, 1 MiB appends, sync every 1 MiB" baseline seq_sync_1m_mbps "%.1f" MB/s all1
row "fdatasync'd seq write, sync every 64 KiB" baseline seq_sync_64k_mbps "%.1f" MB/s all1
row "fdatasync'd seq write, 1 MiB appends, fdatasync loop on a 2nd thread" baseline seq_sync_pipelined_mbps "%.1f" MB/s all1
row "seq write, no fdatasync (page cache)" baseline seq_nosync_mbps "%.0f" MB/s all
row "4 KiB append + fdatasync, p50" baseline sync_4k_p50_ms "%.2f" ms all1
row "4 KiB append + fdatasync, p99" baseline sync_4k_p99_ms "%.2f" ms all1
row "1 KiB append + fdatasync, p50" baseline sync_1k_p50_ms "%.2f" ms all1
row "loopback TCP, 64 KiB writes" baseline tcp_mbps "%.0f" MB/s all
for p in 1 6; do
  row "broker produce acks=1, $p partition(s)" "broker_acks1_p$p" mbps "%.1f" MB/s all1
  row "broker produce acks=all, $p partition(s)" "broker_acksall_p$p" mbps "%.1f" MB/s all1
  row "mock cluster produce acks=1, $p partition(s)" "mock_acks1_p$p" mbps "%.1f" MB/s all1
  row "broker consume, $p partition(s)" "broker_consume_p$p" mbps "%.1f" MB/s all1
done
row "broker consume, 6 partitions, fetch.max.bytes=1 MiB" broker_consume_p6_fmb1m mbps "%.1f" MB/s all1
row "mock cluster produce acks=all, 1 partition" mock_acksall_p1 mbps "%.1f" MB/s all1
for n in broker_lat_acksall broker_lat_acks1 mock_lat_acksall; do
  case $n in
    broker_lat_acksall) d="broker acks=all" ;; broker_lat_acks1) d="broker acks=1" ;; *) d="mock cluster acks=all" ;;
  esac
  for k in p50_ms p99_ms max_ms; do
    row "$d at $LAT_RATE rec/s, linger.ms=0: latency ${k%_ms}" "$n" "$k" "%.2f" ms all1
  done
done
echo
echo "| ratio | ratio of medians | median of per-run ratios | per-run ratios (sorted) |"
echo "|---|---:|---:|---|"
rrow() {  # rrow LABEL NAME_A KEY_A NAME_B KEY_B
  echo "| $1 | $(ratio "$(med "$2" "$3")" "$(med "$4" "$5")") | $(pratio "$2" "$3" "$4" "$5") |"
}
for p in 1 6; do
  rrow "broker acks=all, $p partition(s) ÷ fdatasync'd seq write (sync every 1 MiB)" "broker_acksall_p$p" mbps baseline seq_sync_1m_mbps
done
for p in 1 6; do
  rrow "broker acks=all, $p partition(s) ÷ pipelined fdatasync'd seq write" "broker_acksall_p$p" mbps baseline seq_sync_pipelined_mbps
done
for p in 1 6; do
  rrow "broker acks=all ÷ broker acks=1, $p partition(s)" "broker_acksall_p$p" mbps "broker_acks1_p$p" mbps
done
for p in 1 6; do
  rrow "broker acks=1, $p partition(s) ÷ mock cluster acks=1" "broker_acks1_p$p" mbps "mock_acks1_p$p" mbps
done
for p in 1 6; do
  rrow "broker consume, $p partition(s) ÷ loopback TCP" "broker_consume_p$p" mbps baseline tcp_mbps
done
rrow "broker consume, 6 partitions, fetch.max.bytes=1 MiB ÷ loopback TCP" broker_consume_p6_fmb1m mbps baseline tcp_mbps
rrow "broker consume, 6 partitions: fetch.max.bytes=1 MiB ÷ default (50 MB)" broker_consume_p6_fmb1m mbps broker_consume_p6 mbps
rrow "broker acks=all p50 latency at $LAT_RATE rec/s ÷ broker acks=1 p50" broker_lat_acksall p50_ms broker_lat_acks1 p50_ms
rrow "broker acks=all p50 latency at $LAT_RATE rec/s ÷ mock acks=all p50" broker_lat_acksall p50_ms mock_lat_acksall p50_ms
rrow "broker acks=all p50 latency ÷ 4 KiB append+fdatasync p50" broker_lat_acksall p50_ms baseline sync_4k_p50_ms
echo
echo "| group commit (sums over the runs) | Produce requests | flush rounds | requests per round |"
echo "|---|---:|---:|---:|"
for n in broker_acksall_p1 broker_acksall_p6 broker_lat_acksall broker_acks1_p1 broker_acks1_p6; do
  r=$(sum "$n" produce_reqs); f=$(sum "$n" flush_rounds)
  echo "| $n | $r | $f | $(ratio "$r" "$f") |"
done
echo
echo "Raw results: $RAW; broker log: $WORK/otter.log"
