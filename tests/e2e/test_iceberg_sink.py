"""The exactly-once Iceberg sink (src/connectors/iceberg_sink/) under kill -9: the
examples/kafka_to_iceberg.cc job reads N JSON rows with unique ids from a 3-partition topic on the
real broker into a partitioned Iceberg table, with frequent checkpoints and a per-record delay; it
is killed with SIGKILL at random moments at least five times and restarted with --restore latest,
then run to the end with --bounded. The table, read with an independent reader (icebird, through
its manifests), must hold every id exactly once and nothing else, and every snapshot's summary must
carry the same job id and increasing checkpoint ids.

The job binary: $OTTER_KAFKA_TO_ICEBERG, else build/examples/kafka_to_iceberg (target
kafka_to_iceberg). The broker: $OTTER_BIN (see otter_e2e.py)."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from otter_e2e import E2E, REPO, create_topic, example_binary, producer, run, unique

N = 6000
PARTITIONS = 3
KILLS = 5


def job_binary() -> Path:
    return example_binary("kafka_to_iceberg", "OTTER_KAFKA_TO_ICEBERG")


def produce_rows(broker, topic):
    p = producer(broker)
    errors = []
    for i in range(N):
        row = {"id": i, "name": f"name-{i}", "amount": i / 4}
        p.produce(topic, value=json.dumps(row).encode(), partition=i % PARTITIONS,
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
        p.poll(0)
    assert p.flush(30) == 0
    assert not errors, errors


def completed_checkpoint(chk: Path) -> bool:
    return chk.is_dir() and any((d / "_manifest").exists() for d in chk.glob("chk-*"))


def latest_metadata(table: Path) -> dict:
    versions = [int(p.name[1:-len(".metadata.json")]) for p in (table / "metadata").glob("v*.metadata.json")]
    return json.loads((table / "metadata" / f"v{max(versions)}.metadata.json").read_text())


def test_kill9_repeatedly_then_every_row_exactly_once(broker, tmp_path):
    if shutil.which("node") is None or not (E2E / "node_modules" / "icebird").is_dir():
        pytest.fail("node and tests/e2e/node_modules/icebird are needed (scripts/setup.sh)")
    topic = unique("ice-sink")
    create_topic(broker, topic, partitions=PARTITIONS)
    produce_rows(broker, topic)
    wh, chk = tmp_path / "wh", tmp_path / "chk"
    base = [str(job_binary()), "--brokers", broker.bootstrap, "--topic", topic, "--warehouse", str(wh),
            "--table", "db.events", "--schema", "id long required, name string, amount double",
            "--partition", "bucket[4](id)", "--parallelism", str(PARTITIONS),
            "--checkpoint-dir", str(chk), "--checkpoint-interval", "150ms",
            "--target-file-bytes", "32768", "--max-open-files", "4"]
    rnd = random.Random(7)
    kills, runs = 0, 0
    deadline = time.monotonic() + 150
    while kills < KILLS:
        assert time.monotonic() < deadline, f"only {kills} kills in time"
        restore = ["--restore", "latest"] if completed_checkpoint(chk) else []
        log = tmp_path / f"run{runs}.log"
        runs += 1
        with open(log, "w") as f:
            # 4 ms per record and subtask: the data takes longer than all kills, so they land mid-stream.
            proc = subprocess.Popen(base + ["--record-delay-us", "4000"] + restore, stdout=f,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            time.sleep(rnd.uniform(0.8, 2.0))
            assert proc.poll() is None, f"the job ended (rc {proc.returncode}):\n{log.read_text()}"
            proc.kill()  # SIGKILL, by PID
            kills += 1
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
    table = wh / "db" / "events"
    assert table.is_dir(), "the job never created the table"
    before = latest_metadata(table).get("snapshots", [])
    committed_before = sum(int(s["summary"]["added-records"]) for s in before)
    # The kills must have hit a job that was committing, not only ones still starting up.
    assert len(before) >= 2 and 0 < committed_before <= N, (len(before), committed_before)

    # Finish: restore once more and run to the end of the topic.
    log = tmp_path / "final.log"
    with open(log, "w") as f:
        r = subprocess.run(base + ["--bounded", "--restore", "latest"], stdout=f,
                           stderr=subprocess.STDOUT, timeout=180)
    assert r.returncode == 0, log.read_text()

    got = json.loads(run(["node", E2E / "js" / "iceberg_read.mjs", table.as_uri()], timeout=180).stdout)
    ids = sorted(int(row["id"]) for row in got["rows"])
    dupes = len(ids) - len(set(ids))
    missing = N - len(set(ids) & set(range(N)))
    assert dupes == 0 and missing == 0 and len(ids) == N, \
        f"{len(ids)} rows: {dupes} duplicates, {missing} missing, {len(set(ids) - set(range(N)))} foreign"
    by_id = {int(row["id"]): row for row in got["rows"]}
    assert by_id[4321]["name"] == "name-4321" and float(by_id[4321]["amount"]) == 4321 / 4

    meta = latest_metadata(table)
    snaps = sorted(meta["snapshots"], key=lambda s: s["sequence-number"])
    assert len(snaps) >= 2
    job_ids = {s["summary"].get("otter.job-id") for s in snaps}
    assert len(job_ids) == 1 and None not in job_ids, job_ids
    chks = [int(s["summary"]["otter.checkpoint-id"]) for s in snaps]
    assert chks == sorted(set(chks)), f"checkpoint ids not increasing: {chks}"
    assert sum(int(s["summary"]["added-records"]) for s in snaps) == N
    assert snaps[-1]["summary"]["total-records"] == str(N)
    orphans = len(list((table / "data").rglob("*.parquet"))) - sum(
        int(s["summary"]["added-data-files"]) for s in snaps)
    print(f"{runs} runs, {kills} kills, {len(before)} snapshots ({committed_before} rows) before the final run, "
          f"{len(snaps)} in the end, checkpoint ids {chks}, {orphans} orphan data files")
