#!/usr/bin/env bash
# The Nexmark suite: every query run by `otter nexmark run` (engine job, blackhole sink,
# checkpoints every 10 s into a temporary directory, in-memory state) and, in the same session,
# the same query as batch SQL in DuckDB over the very same events (Parquet written once by
# `otter nexmark generate`, loaded into DuckDB tables before timing). Prints a Markdown table to
# stdout (and to --report FILE) for docs/benchmarks.md; the raw JSON lines stay in the work dir
# with --keep.
#
#   bash bench/run_nexmark.sh [--events 10000000] [--queries q0,q1,...] [--parallelism 1]
#       [--generators 1] [--rate 10000000] [--seed 1] [--checkpoint-interval 10s]
#       [--duckdb-threads "1 N"] [--otter build/otter] [--work DIR] [--report FILE] [--keep]
#
# Event-time rate 10 M/s and maximum emit speed as in the Flink "V1" setup; 100 M events with
# --events 100000000 (needs ~15 GB of disk for the Parquet files and several minutes per query).
# Ratio = Otter events/s ÷ DuckDB events/s with one thread: both are the same events (persons,
# auctions and bids) over the wall time of the query; DuckDB's time excludes reading Parquet.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
events=10000000
queries=q0,q1,q2,q3,q4,q5,q7,q8,q11,q12
parallelism=1
generators=1
rate=10000000
seed=1
interval=10s
duckdb_threads="1 $(nproc)"
otter=${OTTER:-$repo/build/otter}
work=""
report=""
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --events) events=$2; shift 2 ;;
        --queries) queries=$2; shift 2 ;;
        --parallelism) parallelism=$2; shift 2 ;;
        --generators) generators=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --checkpoint-interval) interval=$2; shift 2 ;;
        --duckdb-threads) duckdb_threads=$2; shift 2 ;;
        --otter) otter=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --report) report=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "run_nexmark.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

[ -x "$otter" ] || { echo "run_nexmark.sh: $otter not found: cmake --build build --target otter" >&2; exit 1; }
command -v node >/dev/null || { echo "run_nexmark.sh: node is not installed" >&2; exit 1; }
oracle=$repo/tests/e2e/js/nexmark_oracle.mjs
[ -d "$repo/tests/e2e/node_modules/@duckdb/node-api" ] ||
    { echo "run_nexmark.sh: tests/e2e/node_modules/@duckdb/node-api missing (scripts/setup.sh)" >&2; exit 1; }

if [ -z "$work" ]; then
    work=$(mktemp -d /tmp/otter-nexmark-bench.XXXXXX)
else
    mkdir -p "$work"
fi
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

ev=(--events "$events" --generators "$generators" --rate "$rate" --seed "$seed")
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

log "generating $events events (Parquet) into $work/events"
start=$(date +%s.%N)
"$otter" nexmark generate "${ev[@]}" --format parquet --out "$work/events" 2>"$work/generate.log"
gen_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
log "$(cat "$work/generate.log") in ${gen_s} s"

: >"$work/otter.jsonl"
IFS=, read -r -a qs <<<"$queries"
for q in "${qs[@]}"; do
    log "otter $q (parallelism $parallelism, checkpoints every $interval)"
    set +e
    "$otter" nexmark run --query "$q" "${ev[@]}" --parallelism "$parallelism" \
        --checkpoint-interval "$interval" --json >"$work/otter-$q.json" 2>"$work/otter-$q.err"
    rc=$?
    set -e
    if [ $rc -eq 0 ]; then
        cat "$work/otter-$q.json" >>"$work/otter.jsonl"
    else
        log "otter $q failed ($rc): $(tr '\n' ' ' <"$work/otter-$q.err")"
        printf '{"query":"%s","error":%s}\n' "$q" \
            "$(python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))' <"$work/otter-$q.err")" \
            >>"$work/otter.jsonl"
    fi
done

: >"$work/duckdb.jsonl"
for t in $duckdb_threads; do
    log "duckdb, $t thread(s): $queries"
    node "$oracle" bench "$work/events" "$queries" "$t" >>"$work/duckdb.jsonl"
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$work/otter.jsonl" "$work/duckdb.jsonl" "$events" "$parallelism" "$generators" \
    "$interval" "$load" "$gen_s" "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    <<'PY' | tee "${report:-/dev/null}"
import json, sys, datetime

otter_path, duck_path, events, par, gens, interval, load, gen_s, commit = sys.argv[1:]
otter = {}
for line in open(otter_path):
    r = json.loads(line)
    otter[r["query"]] = r
duck = {}
threads = []
for line in open(duck_path):
    r = json.loads(line)
    duck[(r["query"], r["threads"])] = r
    if r["threads"] not in threads:
        threads.append(r["threads"])
# Speed targets (events per CPU-second) from issue 6 and the Flink per-core reference: the
# nexmark/nexmark GUIDE_V2 example results (Flink 2.x), total events/s ÷ cores.
target = {"q0": 2e6, "q1": 2e6, "q2": 2e6, "q3": 1e6, "q4": 3e5, "q5": 4e5, "q7": 1.5e5,
          "q8": 8e5, "q11": 2.5e5, "q12": 1e6}
flink = {"q0": 378e3, "q1": 396e3, "q2": 414e3, "q3": 219e3, "q4": 28.2e3, "q5": 74.5e3,
         "q7": 22.9e3, "q8": 162e3, "q11": 46.1e3, "q12": 194e3}

def si(x):
    if x is None:
        return "–"
    for unit, f in (("M", 1e6), ("K", 1e3)):
        if x >= f:
            return f"{x / f:.{2 if x / f < 10 else 1}f} {unit}"
    return f"{x:.0f}"

now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
print(f"Nexmark suite, {now}, commit {commit}: {int(events):,} events per query, event-time rate "
      f"10 M/s, parallelism {par}, {gens} generator(s), checkpoints every {interval} (in-memory "
      f"state, checkpoint files in a temporary directory), blackhole sink; DuckDB over the same "
      f"events loaded into memory from Parquet (written in {float(gen_s):.0f} s); load average "
      f"{load}.")
print()
head = ["query", "Otter events/s", "events per CPU-s", "peak RSS", "checkpoints (n, avg ms, avg size)"]
head += [f"DuckDB events/s ({t} thr)" for t in threads]
head += [f"ratio Otter ÷ DuckDB ({threads[0]} thr)" if threads else "ratio", "target (events/CPU-s)",
         "Flink per core"]
print("| " + " | ".join(head) + " |")
print("|---|" + "---:|" * (len(head) - 1))
for q in sorted(set(otter) | {k[0] for k in duck}, key=lambda s: int(s[1:])):
    o = otter.get(q)
    row = [q]
    if o is None or "error" in o:
        row += ["failed" if o else "–", "", "", ""]
        eps = None
    else:
        eps = o["events_per_second"]
        chk = (f"{o['checkpoints_completed']}, {o['checkpoint_avg_ms']:.0f} ms, "
               f"{o['checkpoint_avg_bytes'] / 1024:.0f} KiB" if o["checkpoints_completed"] else
               f"0 ({o['checkpoints_declined']} declined)")
        row += [si(eps), si(o["events_per_cpu_second"]), f"{o['peak_rss_bytes'] / 2**20:.0f} MiB", chk]
    for t in threads:
        d = duck.get((q, t))
        row.append(si(d["events_per_second"]) if d else "–")
    d1 = duck.get((q, threads[0])) if threads else None
    row.append(f"{eps / d1['events_per_second']:.2f}" if eps and d1 else "–")
    row.append(si(target.get(q)))
    row.append(si(flink.get(q)))
    print("| " + " | ".join(row) + " |")
errors = [f"{q}: {o['error']}" for q, o in otter.items() if "error" in o]
if errors:
    print()
    for e in errors:
        print(f"- {e}")
PY
