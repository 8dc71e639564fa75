#!/usr/bin/env bash
# THE run command: installs build dependencies, builds build/otter (release), starts a broker on
# the default ports, shows a produce/consume round trip with the otter CLI and leaves the broker
# running in the foreground. Ctrl-C (or SIGTERM) stops it.
#
# Environment: OTTER_BIN (default ./build/otter), OTTER_DATA_DIR (default ./otter-data), OTTER_KAFKA_ADDR (127.0.0.1:9092),
#              OTTER_ADMIN_ADDR (127.0.0.1:9644), OTTER_SKIP_SETUP=1, OTTER_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA_DIR=${OTTER_DATA_DIR:-./otter-data}
KAFKA_ADDR=${OTTER_KAFKA_ADDR:-127.0.0.1:9092}
ADMIN_ADDR=${OTTER_ADMIN_ADDR:-127.0.0.1:9644}
OTTER=${OTTER_BIN:-./build/otter}

if [[ ${OTTER_SKIP_SETUP:-0} != 1 ]]; then
  bash scripts/setup.sh --build
fi
if [[ ${OTTER_SKIP_BUILD:-0} != 1 ]]; then
  cmake --preset release
  cmake --build --preset release -j "${JOBS:-2}"
fi

for addr in "$KAFKA_ADDR" "$ADMIN_ADDR"; do
  if (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then
    echo "run: something is already listening on $addr; set OTTER_KAFKA_ADDR/OTTER_ADMIN_ADDR" >&2
    exit 1
  fi
done

mkdir -p "$DATA_DIR"
echo "run: starting $OTTER serve --data-dir $DATA_DIR --kafka-addr $KAFKA_ADDR --admin-addr $ADMIN_ADDR"
"$OTTER" serve --data-dir "$DATA_DIR" --kafka-addr "$KAFKA_ADDR" --admin-addr "$ADMIN_ADDR" &
pid=$!
stop() {
  trap - INT TERM
  if kill -0 "$pid" 2>/dev/null; then
    echo; echo "run: stopping broker (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  exit 0
}
trap stop INT TERM

ready=0
for _ in $(seq 1 200); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run: otter serve exited during start-up" >&2
    wait "$pid" || true
    exit 1
  fi
  if timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "GET /v1/status/ready HTTP/1.0\r\nHost: x\r\n\r\n" >&3 &&
      head -1 <&3 | grep -q " 200"' _ "${ADMIN_ADDR%:*}" "${ADMIN_ADDR##*:}" 2>/dev/null; then
    ready=1; break
  fi
  sleep 0.1
done
if ((!ready)); then
  echo "run: broker not ready after 20 s" >&2
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || true
  exit 1
fi
echo "run: broker ready"

# The demo steps must not abort the script (set -e) and orphan the broker.
B=(--brokers "$KAFKA_ADDR")
if ! timeout 20 "$OTTER" topic describe demo "${B[@]}" >/dev/null 2>&1; then
  echo "run: creating topic 'demo'"
  timeout 20 "$OTTER" topic create demo -p 1 "${B[@]}" || echo "run: topic create failed" >&2
fi
since=$(($(date +%s%3N) - 1))
echo "run: producing 3 records to 'demo'"
printf 'alice:hello otter\nbob:hello kafka clients\ncarol:%s\n' "$(date -Is)" |
  timeout 20 "$OTTER" produce demo -k : "${B[@]}" || echo "run: produce failed" >&2
echo "run: consuming them back:"
timeout 20 "$OTTER" consume demo -o "@$since" -n 3 "${B[@]}" </dev/null || echo "run: consume failed" >&2

# The main job: GitHub commit events -> commits per repo per hour + author sessions
# (examples/github_commits.cc), over a fresh set of demo topics, bounded so that it ends.
JOB=${OTTER_GITHUB_COMMITS:-./build/examples/github_commits}
if [[ -x $JOB ]]; then
  run_id=$(date +%s)
  in="demo-commits-$run_id"; counts="demo-commit-counts-$run_id"; sessions="demo-author-sessions-$run_id"
  for t in "$in" "$counts" "$sessions"; do
    timeout 20 "$OTTER" topic create "$t" -p 3 "${B[@]}" >/dev/null || echo "run: topic create $t failed" >&2
  done
  echo "run: producing 600 GitHub commit events to '$in'"
  python3 - "$run_id" <<'PY' | timeout 30 "$OTTER" produce "$in" -k '|' "${B[@]}" || echo "run: produce failed" >&2
import datetime, json, random, sys
rnd = random.Random(int(sys.argv[1]))
repos = ["otter/broker", "otter/engine", "otter/iceberg", "lake/house"]
authors = ["alice", "bob", "carol", "dave", "erin"]
start = datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.timezone.utc)
for i in range(600):
    t = start + datetime.timedelta(seconds=i * 60 + rnd.randint(-240, 0))  # up to 4 min out of order
    author = rnd.choice(authors)
    ev = {"sha": "%040x" % rnd.getrandbits(160), "repo": rnd.choice(repos), "author": author,
          "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ")}
    print(author + "|" + json.dumps(ev))
PY
  echo "run: running the job: $JOB --bounded (commits per repo per hour, 30-minute author sessions)"
  timeout 120 "$JOB" --brokers "$KAFKA_ADDR" --input "$in" --counts-topic "$counts" \
    --sessions-topic "$sessions" --bounded --parallelism 2 || echo "run: the job failed" >&2
  echo "run: commits per repository and hour (topic '$counts', first 12):"
  timeout 20 "$OTTER" consume "$counts" -o beginning -n 12 "${B[@]}" </dev/null ||
    echo "run: consume failed" >&2
  echo "run: author sessions (topic '$sessions', first 5):"
  timeout 20 "$OTTER" consume "$sessions" -o beginning -n 5 "${B[@]}" </dev/null ||
    echo "run: consume failed" >&2
else
  echo "run: $JOB not built; skipping the pipeline demo" >&2
fi

cat <<EOF2

Otter is running (pid $pid): Kafka API on $KAFKA_ADDR, admin HTTP on http://$ADMIN_ADDR
Try next:
  $OTTER cluster info --brokers $KAFKA_ADDR
  $OTTER topic list --brokers $KAFKA_ADDR
  echo hi | $OTTER produce demo --brokers $KAFKA_ADDR
  $OTTER consume demo -o beginning -n 10 -f json --brokers $KAFKA_ADDR
  kcat -b $KAFKA_ADDR -L
  curl -s http://$ADMIN_ADDR/metrics | grep otter_
Data lives in $DATA_DIR. Press Ctrl-C to stop the broker.
EOF2

set +e
wait "$pid"
rc=$?
trap - INT TERM
exit "$rc"
